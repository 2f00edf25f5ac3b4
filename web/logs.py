"""Logging of a served hub: every line carries its request id, as text or as JSON.

``LOG_FORMAT=json`` writes one JSON object per line (python-json-logger), for a log
pipeline; ``text`` (the default) is for people. uvicorn's own loggers use the same format.
A client's mistake (a validation error, a typed refusal) is logged once, in one line,
truncated, without a traceback; an unexpected failure keeps its traceback
(``schema.HubSchema.process_errors``).
"""

import logging
from typing import Any

from web.middleware import request_id

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being handled (or "-") on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


def log_config(log_format: str, *, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the hub and uvicorn (``uvicorn.run(log_config=)``)."""
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FIELDS}
        if log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "hub",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"hub": formatter},
        "handlers": {"hub": handler},
        "root": {"handlers": ["hub"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["hub"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["hub"], "level": level, "propagate": False},
        },
    }
