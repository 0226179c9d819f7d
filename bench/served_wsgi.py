"""The WSGI application bench/served.py runs under gunicorn: the project, and the floors named
in the file BENCH_FLOORS points at (name → SQL), each a bare view of that SQL (bench/urls.py)."""

import json
import os

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from bench.lists import bare_view  # noqa: E402 - needs Django set up
from bench.urls import FLOORS  # noqa: E402

with open(os.environ["BENCH_FLOORS"]) as file:
    FLOORS.update({name: bare_view(sql) for name, sql in json.load(file).items()})
