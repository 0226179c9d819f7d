"""gunicorn's settings: ``gunicorn -c python:federation.gunicorn federation.wsgi``
(docs/operations.md). Its own lines are JSON like the app's (apps/core/logs.py); its access log
is off: the app logs each request itself, without the query string."""

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "apps.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}
