"""Build the compiled extension; all project metadata lives in pyproject.toml."""

import sys

from setuptools import Extension, setup

# Bit-identical floating point with SnowNLP and jieba: never fuse or reorder operations.
_FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off", "-fno-fast-math"]

setup(
    ext_modules=[
        Extension(
            "analysis.snowfast._snowfast",
            sources=["analysis/snowfast/_snowfast.c"],
            extra_compile_args=_FLAGS,
        ),
        Extension(
            "analysis.jiebafast._jiebafast",
            sources=["analysis/jiebafast/_jiebafast.c"],
            extra_compile_args=_FLAGS,
        ),
    ]
)
