"""The WSGI application bench/served.py runs under gunicorn: the project, and the floors named
in the file BENCH_FLOORS points at (bench/urls.py): name → {"sql": …}, a bare view of that SQL,
or {"orm": [account id, organization id or null]}, the bare Django view of bench/lists.py."""

import json
import os

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from bench.lists import bare_view, orm_view  # noqa: E402 - needs Django set up
from bench.urls import FLOORS  # noqa: E402

with open(os.environ["BENCH_FLOORS"]) as file:
    FLOORS.update(
        {
            name: bare_view(spec["sql"]) if "sql" in spec else orm_view(*spec["orm"])
            for name, spec in json.load(file).items()
        }
    )
