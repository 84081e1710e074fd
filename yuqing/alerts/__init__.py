"""The alerts engine (service layer over the store): analysis cycle, workflow, replay, accountability.

``scorecard(store, since, until)`` and ``effect(store, alert_id)`` are the entry points for the digest
and the dashboard (see :mod:`yuqing.alerts.accountability`).
"""

from yuqing.alerts.accountability import effect, scorecard

__all__ = ["effect", "scorecard"]
