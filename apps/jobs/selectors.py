"""Every read of jobs."""

from apps.jobs.models import Job
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped


def job_list(*, user):
    """The account's own jobs; a district admin's, every job of the subtree (docs/jobs.md)."""
    jobs = scoped(Job.objects.select_related("user"), user)
    if getattr(user, "role", None) != Role.DISTRICT_ADMIN:
        jobs = jobs.filter(user=user)
    return jobs
