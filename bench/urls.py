"""The project's URLs, and beside them the floors the bench serves through the same stack.

A measurement registers a floor as a plain Django view under a name (``floors.serve(name,
view)``) and asks ``/bench/floor/<name>/`` with the same test client as the page it measures:
the same handler and middleware, none of the machinery under measurement.
"""

from collections.abc import Callable
from contextlib import contextmanager

from django.test.utils import override_settings
from django.urls import path

from federation.urls import urlpatterns as project

FLOORS: dict[str, Callable] = {}


def floor(request, name: str):
    return FLOORS[name](request)


urlpatterns = [path("bench/floor/<slug:name>/", floor), *project]


@contextmanager
def serving(**views: Callable):
    """Serve ``views`` as floors (``/bench/floor/<name>/``) while the block runs."""
    FLOORS.update(views)
    try:
        with override_settings(ROOT_URLCONF="bench.urls"):
            yield
    finally:
        for name in views:
            FLOORS.pop(name, None)


def floor_url(name: str) -> str:
    return f"/bench/floor/{name}/"
