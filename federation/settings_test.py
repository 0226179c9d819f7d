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
# A second connection to the test database, named as a replica is, so that a test can send the
# reports there (REPORTS_DATABASE = "replica") and see which connection read them. Reports read
# "default" unless a test says otherwise (docs/reports.md, Reading from a replica).
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
