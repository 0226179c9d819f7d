"""What every task of the job queue shares (docs/jobs.md)."""

import functools

from django.db import close_old_connections


def fresh_connections(task):
    """Run ``task`` between two ``close_old_connections()``: a worker's thread keeps its database
    connection from one job to the next, and the server may have closed it meanwhile."""

    @functools.wraps(task)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return task(*args, **kwargs)
        finally:
            close_old_connections()

    return run
