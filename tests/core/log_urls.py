"""The real URL conf and one test-only view that fails as a bug would: a statement PostgreSQL
refuses with the failing row, narrative and ID number in it, in its message."""

from django.db import connection
from django.urls import path

from federation.urls import urlpatterns as real_urlpatterns


def failing(request):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS failing (a text, b text NOT NULL, c text)")
        cursor.execute(
            "INSERT INTO failing VALUES (%s, NULL, %s)",
            [request.headers["X-Narrative"], request.headers["X-Id-Number"]],
        )


urlpatterns = [path("test-failing/", failing), *real_urlpatterns]
