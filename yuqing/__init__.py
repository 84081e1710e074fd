"""yuqing: public-opinion monitoring (政务舆情监测) for government agencies."""

__version__ = "0.1.0"
