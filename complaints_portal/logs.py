"""Structured logs: one JSON object per line (LOG_FORMAT=json), tagged with the request or task.

``JsonFormatter`` is the console formatter that settings.LOGGING picks when LOG_FORMAT=json.
``RequestIdMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` if it sent a
sane one, otherwise a new one), returns it in the response's ``X-Request-ID`` header and tags
every line logged while the request is handled with it. Lines logged inside a Celery task carry
the task's id.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from celery import current_task

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like before we trust it into our logs and headers.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")

_request_id = ContextVar("request_id", default=None)


def current_request_id():
    """Return the id of the request this thread is handling, or None outside a request."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request an id, tag its log lines with it and send it back in X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time, level, logger, message, ids and any exception."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django logs 4xx/5xx responses after the middleware has returned, with the request attached.
        request_id = current_request_id() or getattr(getattr(record, "request", None), "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if current_task and current_task.request.id:
            entry["task_id"] = current_task.request.id
            entry["task"] = current_task.name
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
