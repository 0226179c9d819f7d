"""My jobs outside the admin: the pages of every signed-in account's background jobs, for the
accounts that have no admin (leadership first, whose report files will be jobs) and the same
rows for everyone else (docs/jobs.md, "My jobs"). Read through ``job_list``, as the admin's
list and the API read them: one's own jobs; a district admin's, the subtree's."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.validators import ascii_digits
from apps.jobs.display import download_response, kind_label, page_context, status_response
from apps.jobs.selectors import job_list
from apps.organizations.roles import Role

PAGE_SIZE = 50


@login_required
def jobs_page(request):
    """The account's jobs, newest first, 50 a page (a page reads one row past it to know
    whether there is a next: no count)."""
    raw = request.GET.get("page", "1")
    if not ascii_digits(raw) or not 1 <= int(raw) <= 10**6:
        raise Http404
    number = int(raw)
    start = (number - 1) * PAGE_SIZE
    newest_first = job_list(user=request.user).order_by("-created_at", "-pk")
    jobs = list(newest_first[start : start + PAGE_SIZE + 1])
    if number > 1 and not jobs:
        raise Http404
    url = request.get_full_path()
    context = {
        "title": _("My jobs"),
        "jobs": [
            {
                "job": job,
                "kind": kind_label(job),
                "progress": f"{job.done:,} / {job.total:,}" if job.total else "",
            }
            for job in jobs[:PAGE_SIZE]
        ],
        "shows_who": request.user.role == Role.DISTRICT_ADMIN,
        "next_url": replace_query_param(url, "page", number + 1) if len(jobs) > PAGE_SIZE else "",
        "previous_url": ""
        if number == 1
        else (
            remove_query_param(url, "page")
            if number == 2
            else replace_query_param(url, "page", number - 1)
        ),
    }
    return render(request, "jobs/list.html", context)


def _job(request, job_id):
    job = job_list(user=request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@login_required
def job_page(request, job_id: int):
    """A job's page: its progress bar while it runs, then its report or its file."""
    job = _job(request, job_id)
    return render(request, "jobs/page.html", page_context(request, job, url_names="jobs:"))


@login_required
def job_status(request, job_id: int):
    """The job's state and progress as JSON, for the page's script."""
    return status_response(_job(request, job_id))


@login_required
def job_download(request, job_id: int):
    """An export's file, for the account that asked for it alone, for 24 hours; logged."""
    return download_response(request, _job(request, job_id))
