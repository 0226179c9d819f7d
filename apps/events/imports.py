"""Events from the .xlsx sheets staff keep, on the pipeline of apps/core/imports.py: a dry run
lists every bad row, then all rows or none (docs/events.md, Importing from Excel).

Each row is read on its own (no queries); then the organizations, categories and campaigns the
file names are looked up once each, within the importer's reach: an organization of her
subtree, a category or campaign she reads (her subtree's, her ancestors', the seeded lists).
Anything else reads as a name that does not exist. Events clash with nothing on file (no
unique key but the client's, which a sheet has not), so a real import takes no lock.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.imports import DATE, Column, Importer, ImportReport, Row, new_record
from apps.events import selectors
from apps.events.models import Event, EventCategory
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped

COLUMNS = [
    Column(
        "organization",
        "组织",
        {"组织代码", "组织名称", "举办组织", "organization", "organization code"},
    ),
    Column("title", "活动名称", {"活动标题", "名称", "title"}),
    Column("category", "活动类别", {"类别", "category"}),
    Column("starts_at", "开始时间", {"开始", "开始日期", "活动日期", "starts_at", "start"}),
    Column("ends_at", "结束时间", {"结束", "结束日期", "ends_at", "end"}),
    Column("place", "地点", {"活动地点", "place"}),
    Column("partners", "合作单位", {"partners"}),
    Column("participants", "参与人数", {"参加人数", "participants"}),
    Column("people_reached", "受益人数", {"people_reached", "people reached"}),
    Column("volunteers", "志愿者人数", {"志愿者", "volunteers"}),
    Column("spent", "经费（元）", {"经费(元)", "经费", "金额", "spent", "money"}),
    Column("campaign", "专项行动", {"campaign"}),
    Column("summary", "活动简介", {"简介", "summary"}),
]
REQUIRED = ("organization", "title", "category", "starts_at")
COUNTS = ("participants", "people_reached", "volunteers")
TIME = re.compile(r"\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?\s*")

EVENTS_JOB = "events.events_import"  # its kind of job (apps/jobs/kinds.py)


def _moment(row: Row, column: str, *, end_of_day: bool) -> tuple[datetime.datetime | None, bool]:
    """A date-and-time cell, or text such as 2024-05-01 09:30 or 2024年5月1日 9:30, in Beijing
    time, and whether it gave the time. A day without a time is its first minute, or for an
    end its last."""
    cell = row.cells[column]
    value = cell.value
    day, at = None, None
    if isinstance(value, datetime.datetime):
        day, at = value.date(), value.time()
    elif isinstance(value, datetime.date):
        day = value
    elif cell.text and not cell.is_number:
        match = DATE.match(cell.text)
        rest = cell.text[match.end() :] if match else ""
        clock = TIME.fullmatch(rest) if rest else None
        try:
            if match and (clock or not rest.strip()):
                day = datetime.date(*(int(part) for part in match.groups()))
                if clock:
                    hour, minute, second = (int(part or 0) for part in clock.groups())
                    at = datetime.time(hour, minute, second)
        except ValueError:
            day = None
    if day is None:
        if cell.text:
            message = _("%(column)s %(value)s is not a date (write it as 2024-05-01 09:30)")
            row.refuse(column, message % {"column": row.headers[column], "value": cell.text[:50]})
        return None, False
    timed = at is not None
    if at is None:
        at = datetime.time(23, 59) if end_of_day else datetime.time(0, 0)
    return timezone.make_aware(datetime.datetime.combine(day, at)), timed


def _count(row: Row, column: str) -> int:
    text = row.cells[column].text
    if not text:
        return 0
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    message = _("%(column)s %(value)s is not a whole number of 0 or more")
    row.refuse(column, message % {"column": row.headers[column], "value": text[:50]})
    return 0


def _money(row: Row, column: str) -> Decimal:
    text = row.cells[column].text.replace(",", "").removesuffix("元")
    if not text:
        return Decimal(0)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != round(amount, 2):
        message = _("%(column)s %(value)s is not an amount in yuan (such as 1234.50)")
        row.refuse(column, message % {"column": row.headers[column], "value": text[:50]})
        return Decimal(0)
    return amount


def _read_event(row: Row) -> None:
    cells = row.cells
    for column in REQUIRED:
        if not cells[column].text and cells[column].value is None:
            row.refuse_empty(column)
    starts_at, timed = _moment(row, "starts_at", end_of_day=False)
    if cells["ends_at"].text or cells["ends_at"].value is not None:
        ends_at, _timed = _moment(row, "ends_at", end_of_day=True)
    elif starts_at is not None and not timed:  # a day, its hours not given: the whole day
        ends_at = starts_at.replace(hour=23, minute=59)
    else:
        ends_at = starts_at  # no end given: it ends as it starts
    event = new_record(
        Event,
        title=cells["title"].text,
        starts_at=starts_at,
        ends_at=ends_at,
        place=cells["place"].text,
        partners=cells["partners"].text,
        participants=_count(row, "participants"),
        people_reached=_count(row, "people_reached"),
        volunteers=_count(row, "volunteers"),
        spent=_money(row, "spent"),
        summary=cells["summary"].text,
    )
    # The model's rules (lengths, the end after the start, people reached at least the
    # participants); the references are placed set-wise in _check_events.
    row.full_clean(
        event, exclude=["organization", "line", "category", "campaign", "position", "client_id"]
    )
    row.record = event


def _by_name(rows, column: str) -> set[str]:
    return {row.cells[column].text for row in rows} - {""}


def _check_events(rows: list[Row], by) -> None:
    """The organizations, categories and campaigns the rows name: a query each, however many
    rows, within ``by``'s reach."""
    texts = _by_name(rows, "organization")
    organizations, named = {}, defaultdict(list)
    for organization in scoped(
        Organization.objects.filter(Q(code__in=texts) | Q(name__in=texts)), by
    ):
        organizations[organization.code] = organization
        named[organization.name].append(organization)
    categories = {}
    for category in selectors.published_readable(EventCategory.objects.select_related("line"), by):
        categories[category.code.lower()] = category
        categories[category.name] = category
    campaigns = defaultdict(list)
    titles = _by_name(rows, "campaign")
    if titles:
        for campaign in selectors.campaign_readable(user=by).alive().filter(title__in=titles):
            campaigns[campaign.title].append(campaign)
    for row in rows:
        event: Event = row.record
        organization = _organization(row, organizations, named)
        if organization is not None:
            event.organization = organization
        text = row.cells["category"].text
        category = categories.get(text) or categories.get(text.lower())
        if category is not None:
            event.category, event.line = category, category.line
        elif text:
            row.refuse(
                "category",
                _("unknown %(column)s %(value)s")
                % {
                    "column": row.headers["category"],
                    "value": text[:50],
                },
            )
        if organization is not None and row.cells["campaign"].text:
            _campaign(row, campaigns, organization)


def _organization(row: Row, organizations, named) -> Organization | None:
    text = row.cells["organization"].text
    if not text:
        return None
    if text in organizations:
        return organizations[text]
    found = named.get(text, [])
    if len(found) == 1:
        return found[0]
    if found:
        row.refuse(
            "organization",
            _("%(count)d organizations are named %(name)s: give the code")
            % {"count": len(found), "name": text[:50]},
        )
    else:
        row.refuse(
            "organization",
            _("no organization of yours has the code or name %(value)s") % {"value": text[:50]},
        )
    return None


def _campaign(row: Row, campaigns, organization) -> None:
    """The campaign the title names, among those that cover the organization; one of several
    of that title (a publicity month each year) by the event's first day."""
    event: Event = row.record
    title = row.cells["campaign"].text
    covering = [c for c in campaigns.get(title, []) if c.covers(organization)]
    if len(covering) > 1 and event.starts_at is not None:
        day = timezone.localdate(event.starts_at)
        covering = [c for c in covering if c.starts_on <= day <= c.ends_on] or covering
    if len(covering) == 1:
        event.campaign = covering[0]
    elif covering:
        row.refuse(
            "campaign",
            _("%(count)d campaigns are named %(title)s: the event's date must fall in one")
            % {"count": len(covering), "title": title[:50]},
        )
    else:
        row.refuse(
            "campaign",
            _("no campaign named %(title)s covers %(organization)s")
            % {"title": title[:50], "organization": organization.name},
        )


EVENTS = Importer(
    model=Event,
    columns=COLUMNS,
    read_row=_read_event,
    check_rows=_check_events,
    done=gettext_lazy("%(count)d events were imported."),
)


def events_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add events from a sheet (组织, 活动名称, 活动类别, 开始时间, 结束时间, 地点, 合作单位,
    参与人数, 受益人数, 志愿者人数, 经费（元）, 专项行动, 活动简介): all or none. ``options``:
    ``max_rows``, ``progress`` (``Importer.run``)."""
    return EVENTS.run(data=data, by=by, dry_run=dry_run, **options)
