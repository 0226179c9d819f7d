"""Logs as JSON lines, each with the request (or job) it belongs to, and no personal data
(docs/operations.md, Logs).

- ``RequestLogMiddleware`` gives every request an id (a valid incoming ``X-Request-ID``, or a
  new one), sends it back in the ``X-Request-ID`` header, and logs one line when the request
  ends: method, path (never the query string), status, duration, account id.
- ``log_context()`` holds the id (and account) for everything logged meanwhile; a job started
  by the request carries the id (``carried()``), and its task runs inside ``log_context``.
- ``JsonFormatter`` writes one object per line: time, level, logger, message, request_id,
  account_id, and method, path, status, duration_ms where the line is a request's.

What is logged is never a request's body or query string. A message or a traceback can still
quote a value (PostgreSQL's "Failing row contains (…)", a ``Key (id_number)=(…)``): the
formatter cuts those details out and masks anything shaped like an ID number or a mobile number
as a last guard (``redact``).
"""

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("log_context", default=None)

REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

# Last guards, for text a log line quotes from elsewhere (an exception's message).
# A refused row's values run to the end of the message, newlines and brackets and all.
_FAILING_ROW = re.compile(
    r"(Failing row contains )\(.*?(?=\n\n|\nTraceback|\nThe above|\nDuring handling|\Z)", re.S
)
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\((?:[^()\n]|\([^()\n]*\))*\)")
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[0-9]{7}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")


def redact(text: str) -> str:
    text = _FAILING_ROW.sub(r"\1(…)", text)
    text = _KEY_VALUES.sub(r"\1(…)", text)
    text = _ID_NUMBER.sub("[id number]", text)
    return _MOBILE.sub("[phone]", text)


@contextlib.contextmanager
def log_context(**values):
    """Every line logged in this block names these values (request_id, account_id, request)."""
    token = _context.set({**(_context.get() or {}), **values})
    try:
        yield
    finally:
        _context.reset(token)


def current_request_id() -> str:
    return (_context.get() or {}).get("request_id") or ""


def carried() -> dict:
    """The keyword arguments a job deferred now carries into its task (apps/jobs/tasks.py)."""
    values = _context.get() or {}
    return {"request_id": current_request_id(), "account_id": _account_id(values)}


def _account_id(values: dict):
    """The account id of the context's request, if it is already known: asking an unevaluated
    lazy ``request.user`` would cost a query, so a line logged before authentication has none."""
    if "account_id" in values:
        return values["account_id"]
    request = values.get("request")
    user = getattr(request, "user", None) if request is not None else None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or type(wrapped) is object:  # django.utils.functional.empty
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line, in UTC."""

    def format(self, record: logging.LogRecord) -> str:
        values = _context.get() or {}
        # procrastinate's own lines about a job (started, ended) carry the job, and with it the
        # request and account its task was deferred with (``carried()``).
        job = getattr(record, "job", None)
        carried = (job.get("task_kwargs") or {}) if isinstance(job, dict) else {}
        values = {**carried, **values} if carried.get("request_id") else values
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or values.get("request_id"),
            "account_id": getattr(record, "account_id", None) or _account_id(values),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.stack_info:
            line["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


request_logger = logging.getLogger("federation.requests")


class RequestLogMiddleware:
    """The first middleware: names the request, times it, and logs it once it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.monotonic()
        with log_context(request_id=request_id, request=request):
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            status = response.status_code
            path = redact(request.path)
            request_logger.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                path,
                status,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
        return response
