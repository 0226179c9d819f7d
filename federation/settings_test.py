"""Test settings: the production settings, with a test secret and a fast hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from federation.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scoping_app"]  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects it to exist
# The fuzzer sends thousands of requests with one token; the throttle's own test lowers these.
API_THROTTLE_RATES = {"account": "100000/min", "anonymous": "100000/min"}
# Each process's own cache (it keeps only the large lists' remembered counts, docs/api.md), so
# that the statement counts the tests pin are a view's own. Throttle counts are in the database
# (apps/core/throttling.py) here too.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
API_SIGN_IN_RATE = "100000/min"  # a test that counts sign-ins sets its own
