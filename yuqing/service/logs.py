"""Structured logs: one JSON object per line, with the job name when a job is running."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        thread = threading.current_thread().name
        if thread.startswith("job-"):
            doc["job"] = thread[4:]
        for key in ("source", "alert_id", "event_id", "items", "errors"):
            if hasattr(record, key):
                doc[key] = getattr(record, key)
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure(level: int = logging.INFO, stream=None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    logging.getLogger("scrapy").setLevel(logging.WARNING)
