"""The admin's first page (docs/workbench.md): the account's subtree in figures, one row per
child organization, and what needs attention there.

Every figure is one query grouped by the child's path prefix (the first ``len(path) + 4``
characters of a record's organization's path, docs/scoping.md), never a loop over the
children: the page takes the same number of queries for a village as for the whole district.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Left
from django.utils import timezone

from apps.members import merging
from apps.members.choices import AppointmentRole
from apps.members.models import Appointment, Member
from apps.members.selectors import branch as branch_selectors
from apps.organizations.choices import Kind, TitleStatus
from apps.organizations.models import Organization, Position, Title
from apps.organizations.scoping import scoped

LEADING_ROLES = (AppointmentRole.CHAIR, AppointmentRole.VICE_CHAIR)


@dataclass
class WorkbenchRow:
    """The figures of one child organization's subtree (or of the organization's own level)."""

    organization: Organization
    own_level: bool = False  # the records of the organization itself, not of those below it
    people: int = 0
    chairs: int = 0
    vice_chairs: int = 0
    organizations: int = 0  # open organizations, each of which should have a chair
    without_chair: int = 0
    without_vice_chair: int = 0
    positions: int = 0  # open positions
    titles: int = 0  # awarded titles
    branches: int = 0  # party branches counted by the compliance page this year
    branches_behind: int = 0
    meetings_held: int = 0
    meetings_required: int = 0  # the minimums of the months and quarters already ended

    FIGURES = (
        "people",
        "chairs",
        "vice_chairs",
        "organizations",
        "without_chair",
        "without_vice_chair",
        "positions",
        "titles",
        "branches",
        "branches_behind",
        "meetings_held",
        "meetings_required",
    )

    def add(self, other: "WorkbenchRow") -> None:
        for name in self.FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BehindBranch:
    """A party branch with months or quarters below the required minimum this year."""

    organization: Organization
    gaps: int
    held: int
    required: int


@dataclass
class Workbench:
    organization: Organization
    year: int
    rows: list[WorkbenchRow]
    total: WorkbenchRow
    behind: list[BehindBranch] = field(default_factory=list)  # the worst first
    duplicates: int | None = None  # groups of likely duplicates; None: may not merge them


def workbench(*, user, today: date | None = None) -> Workbench:
    """The figures of ``user``'s subtree by child organization: a district's streets, a
    street's villages (and committees), a village as one row. A district or a street also
    gets a row of its own level (its own people, chair, positions), so the rows add up to the
    subtree. Twelve queries, however large the subtree."""
    today = today or timezone.localdate()
    root = user.organization
    children = _children(root, user)
    width = len(root.path) + (root.steplen if children else 0)
    if children:
        rows = {root.path: WorkbenchRow(root, own_level=True)}
        rows.update((child.path, WorkbenchRow(child)) for child in children)
    else:
        rows = {root.path: WorkbenchRow(root)}

    def by_child(counts: Iterable[dict], name: str) -> None:
        for count in counts:
            setattr(rows[count["key"]], name, count["n"])

    people = scoped(Member.objects.alive().filter(merged_into__isnull=True), user)
    by_child(_grouped(people, "organization__path", width), "people")

    leaders = scoped(Appointment.objects.current(on=today).filter(role__in=LEADING_ROLES), user)
    for count in _grouped(leaders, "organization__path", width, "role"):
        name = "chairs" if count["role"] == AppointmentRole.CHAIR else "vice_chairs"
        setattr(rows[count["key"]], name, count["n"])

    for count in _vacancies(user, width, today):
        row = rows[count["key"]]
        row.organizations = count["n"]
        row.without_chair, row.without_vice_chair = count["no_chair"], count["no_vice_chair"]

    positions = scoped(Position.objects.filter(closed_on__isnull=True), user)
    by_child(_grouped(positions, "organization__path", width), "positions")
    titles = scoped(Title.objects.filter(status=TitleStatus.AWARDED), user)
    by_child(_grouped(titles, "organization__path", width), "titles")

    behind = _compliance(user, today, rows, width)

    total = WorkbenchRow(root)
    for row in rows.values():
        total.add(row)
    duplicates = None
    if user.has_perm("members.delete_member"):  # who may open the duplicates page
        duplicates = merging.duplicate_groups_page(by=user).paginator.count
    return Workbench(root, today.year, list(rows.values()), total, behind, duplicates)


def _children(root: Organization, user) -> list[Organization]:
    """The organizations right below a district or a street; none below a village, whose
    table is one row (its women's committees counted in it)."""
    if root.kind in (Kind.VILLAGE, Kind.COMMITTEE):
        return []
    below = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    return list(scoped(below, user).order_by("path"))


def _grouped(queryset: QuerySet, path: str, width: int, *also: str) -> QuerySet:
    """``queryset`` counted by the first ``width`` characters of ``path``: by child."""
    return (
        queryset.annotate(key=Left(path, width))
        .values("key", *also)
        .annotate(n=Count("pk"))
        .order_by()
    )


def _vacancies(user, width: int, today: date) -> QuerySet:
    """The open organizations of each child's subtree, and how many of them lack a current
    chair, and a current vice-chair: one query."""

    def holds(role):
        current = Appointment.objects.current(on=today)
        return Exists(current.filter(organization=OuterRef("pk"), role=role))

    organizations = scoped(Organization.objects.filter(closed_on__isnull=True), user)
    return (
        organizations.annotate(
            key=Left("path", width),
            has_chair=holds(AppointmentRole.CHAIR),
            has_vice_chair=holds(AppointmentRole.VICE_CHAIR),
        )
        .values("key")
        .annotate(
            n=Count("pk"),
            no_chair=Count("pk", filter=Q(has_chair=False)),
            no_vice_chair=Count("pk", filter=Q(has_vice_chair=False)),
        )
        .order_by()
    )


def _compliance(user, today: date, rows: dict, width: int) -> list[BehindBranch]:
    """This year's 三会一课 as the compliance page counts them (``branch_compliance_overview``,
    three queries), added up by child; and the branches behind, the worst first. What was
    required is the rule's minimum of each month and quarter already ended (one query for the
    year's rules), each judged as the compliance page judges it."""
    year = today.year
    overview = branch_selectors.branch_compliance_overview(user=user, year=year, today=today)
    requirements = branch_selectors.requirements_of_year(year)
    behind = []
    for branch in overview:
        report = branch_selectors._report(branch.organization, year, today, requirements, {})
        required = sum(
            cell.required
            for period in report.rows
            for cell in period.cells
            if cell is not None and cell.required is not None and not cell.in_progress
        )
        row = rows[branch.organization.path[:width]]
        row.branches += 1
        row.meetings_held += branch.held
        row.meetings_required += required
        if branch.gaps:
            row.branches_behind += 1
            behind.append(BehindBranch(branch.organization, branch.gaps, branch.held, required))
    return behind
