"""The admin's first page: the workbench of the account's subtree above Django's list of apps
(docs/workbench.md). ``federation/urls.py`` routes ``/admin/`` here before the admin's own URLs;
the page is the admin site's own index, given the workbench as extra context.

Also the people's figures on an organization's page, which the organizations app shows without
importing this one (docs/architecture.md, the layers)."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.jobs.choices import ACTIVE_STATES, JobState
from apps.jobs.selectors import job_list
from apps.members.models import Appointment, Member
from apps.members.selectors.workbench import WorkbenchRow, workbench
from apps.notices.selectors import unread_notices
from apps.organizations.admin import Figure, add_organization_figures, subtree_list_url
from apps.organizations.scoping import scoped

# The list each count links to, and its filters: (column, changelist, query).
LISTS = [
    ("people", "members_member_changelist", ""),
    ("chairs", "members_appointment_changelist", "role__exact=chair&current=yes"),
    ("without_chair", None, ""),  # the organizations' list has no filter for it
    ("vice_chairs", "members_appointment_changelist", "role__exact=vice_chair&current=yes"),
    ("without_vice_chair", None, ""),
    ("positions", "organizations_position_changelist", "open=yes"),
    ("titles", "organizations_title_changelist", "status__exact=awarded"),
]
ALARMS = {"without_chair", "without_vice_chair"}


@dataclass(frozen=True)
class Cell:
    """A figure as the table shows it: linked to the list filtered to it where one can be."""

    value: object
    url: str | None = None
    alarm: bool = False


def cells(request, row: WorkbenchRow, linked: bool, year: int) -> list[Cell]:
    """A row's cells in the table's order. A child's row (and the total, ``linked``) links to
    the lists narrowed to its subtree; a row of the organization's own level has no such list."""
    found = []
    for name, changelist, query in LISTS:
        value = getattr(row, name)
        url = None
        if linked and changelist is not None:
            url = subtree_list_url(request, row.organization, changelist, query)
        found.append(Cell(value, url, alarm=name in ALARMS and value > 0))
    compliance = None
    if linked and row.organization.pk == request.user.organization_id:  # the whole subtree
        compliance = f"{reverse('admin:members_branchmeeting_compliance')}?year={year}"
    found.append(Cell(f"{row.meetings_held} / {row.meetings_required}", compliance))
    found.append(Cell(row.branches_behind, alarm=row.branches_behind > 0))
    return found


FAILED_JOBS_SHOWN_FOR = timedelta(days=7)


def jobs_needing_attention(user) -> dict[str, int]:
    """The account's background jobs still on (waiting or running) and those that failed in the
    last week (a district admin's: its subtree's, as My jobs shows them): one query."""
    since = timezone.now() - FAILED_JOBS_SHOWN_FOR
    return job_list(user=user).aggregate(
        active=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
        failed=Count("pk", filter=Q(state=JobState.FAILED, finished_at__gte=since)),
    )


def index(request):
    """The admin site's index with the workbench; ``admin.site.admin_view`` checks the account
    first (``federation/urls.py``), as it does for the index it replaces."""
    board = workbench(user=request.user)
    context = {
        "workbench": board,
        "jobs": jobs_needing_attention(request.user),
        "notices": unread_notices(user=request.user),
        "rows": [(row, cells(request, row, not row.own_level, board.year)) for row in board.rows],
        "total": cells(request, board.total, True, board.year),
    }
    return admin.site.index(request, extra_context=context)


def organization_figures(request, organization) -> list[Figure]:
    """The living people of the organization's subtree, and the appointments running today."""
    below = {"organization__path__startswith": organization.path}
    people = Member.objects.alive().filter(merged_into__isnull=True, **below)
    appointments = Appointment.objects.current().filter(**below)
    return [
        Figure(
            _("people"),
            scoped(people, request.user).count(),
            subtree_list_url(request, organization, "members_member_changelist"),
        ),
        Figure(
            _("current appointments"),
            scoped(appointments, request.user).count(),
            subtree_list_url(
                request, organization, "members_appointment_changelist", "current=yes"
            ),
        ),
    ]


add_organization_figures(organization_figures)
