"""The production settings as the benchmark runs them (``python -m bench`` sets DATABASE_URL to
the benchmark's own database before these are read).

Four changes, none of them to what a request does: the test client speaks HTTP to ``testserver``
(no HTTPS redirect, that host allowed), the throttle is set out of reach (the bench sends
thousands of requests with one token), and static files are named without a manifest, so the
admin renders without ``collectstatic`` (as in federation/settings_test.py).
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))  # `make bench` sets one

from federation.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1"]  # 127.0.0.1: gunicorn in bench/served.py
SECURE_SSL_REDIRECT = False
API_THROTTLE_RATES = {"account": "10000000/min", "anonymous": "10000000/min"}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects it to exist
if os.environ.get("BENCH_FLOORS"):  # gunicorn's workers in bench/served.py serve the floors too
    ROOT_URLCONF = "bench.urls"
