"""What the log says and where it goes ([hardening] point 13).

- `RequestIdFilter` puts the request id on every record (`%(request_id)s`): the id of the
  request the record was logged for (Django's `django.request` records carry the request),
  else the id of the current request or command (`tuoyu.audit.context.current`, passed in
  by the settings as `context` — core imports no app above it).
- `JsonFormatter` writes one JSON object a line (`TUOYU_LOG_FORMAT=json`, for production's
  log collector): time, level, logger, message, request id, status, method, path and the
  traceback; for the records of `tuoyu.core.observe` ([operations] point 6) also route,
  duration_ms, queries, slow, user_id, scope (requests) and job, run_id, outcome (jobs).
- `PrivateRotatingFileHandler` is the demo's `var/log/tuoyu.log`: its directory is created
  0700 and its files 0600 (records carry paths, usernames and tracebacks).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

NO_REQUEST = "-"
OBSERVED_FIELDS = (
    "method",
    "route",
    "status_code",
    "duration_ms",
    "queries",
    "slow",
    "user_id",
    "scope",
    "job",
    "run_id",
    "outcome",
)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id`; never drops a record."""

    def __init__(self, name: str = "", context=None):
        super().__init__(name)
        self.context = context

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None):
            return True
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None) if request is not None else None
        if not request_id and self.context is not None:
            try:
                request_id = self.context().request_id
            except Exception:  # a log line must never fail for want of an id
                request_id = None
        record.request_id = request_id or NO_REQUEST
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (tracebacks included, newlines escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            out["status"] = status
        request = getattr(record, "request", None)
        method = getattr(request, "method", None)
        if isinstance(method, str):
            out["method"] = method
            out["path"] = getattr(request, "path", "")
        # [operations] point 6: the measured fields of tuoyu.core.observe (requests, jobs):
        # ids, scope kinds, routes and numbers — never a personal value.
        observed = getattr(record, "observe", None)
        if isinstance(observed, dict):
            for key in OBSERVED_FIELDS:
                if key in observed:
                    out["status" if key == "status_code" else key] = observed[key]
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose directory is 0700 and whose files are 0600."""

    def __init__(self, filename, *args, **kwargs):
        path = Path(filename)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(path, *args, **kwargs)

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def logging_config(
    *, fmt: str = "plain", file: str | os.PathLike | None = None, level: str = "INFO"
) -> dict:
    """The LOGGING dict of the settings: console (stderr) and, when `file` is given, a
    rotating private file; `fmt` "plain" (lines) or "json" (JSON lines). The root logger
    takes WARNING and above from everything (Django's `django.request` 4xx/5xx with their
    tracebacks, `django.security`, libraries); `tuoyu` loggers from `level` up."""
    handlers: dict = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": fmt,
            "filters": ["request_id"],
        }
    }
    if file:
        handlers["file"] = {
            "()": PrivateRotatingFileHandler,
            "filename": str(file),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "formatter": fmt,
            "filters": ["request_id"],
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {
                "()": RequestIdFilter,
                # dictConfig resolves ext:// on use: the audit context, named by the settings
                # so that core does not import a higher floor.
                "context": "ext://tuoyu.audit.context.current",
            }
        },
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": JsonFormatter},
        },
        "handlers": handlers,
        "root": {"handlers": names, "level": "WARNING"},
        "loggers": {
            # Django's own console handler only speaks with DEBUG and mail_admins needs
            # ADMINS: without this a 500 left no trace. Its records go to the root handlers.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "tuoyu": {"handlers": [], "level": level, "propagate": True},
            "tuoyu.security": {"handlers": names, "level": "INFO", "propagate": False},
        },
    }
