"""A station's past register (台账): its past cases from an .xlsx sheet, on the pipeline of
apps/core/imports.py: a dry run lists every bad row, then all rows or none (docs/rights.md,
A station's past register).

Each row is one case and the person who sought help: read on its own (no queries), then the
stations and categories the rows name are looked up once, within the importer's reach (a
station operator: its own organization's stations only; a station out of reach reads as one
that does not exist). A real import numbers its cases from the district's counter in the year
each was received, under the counter's row lock (as an intake does, so intakes meanwhile wait
and the series has no gaps), then writes the cases and their seekers with one history row each.

The narrative is the most sensitive text the system keeps: no message of this module repeats
it, nor a party's name (a message names the column and the rule); the history leaves both out
(``history_excluded``, docs/rights.md, History); nothing here logs.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.bulk import insert_with_history
from apps.core.imports import Column, Importer, ImportReport, Row, new_record, write_records
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from apps.rights.choices import CaseStatus, Channel, Outcome, PartyRole, Risk
from apps.rights.models import Case, CaseCategory, CaseCounter, CaseParty, Station
from apps.rights.services import cases as services

COLUMNS = [
    Column("station", "接收站点", {"station", "站点", "受理站点"}),
    Column("received_at", "接收日期", {"received_on", "受理日期", "登记日期"}),
    Column("channel", "来源渠道", {"channel", "渠道", "来源"}),
    Column("category", "案件类别", {"category", "类别"}),
    Column("risk", "风险等级", {"risk", "风险"}),
    Column("status", "导入时状态", {"status", "状态"}),
    Column("outcome", "结案方式", {"outcome"}),
    Column("closed_on", "结案日期", {"closed_on"}),
    Column("seeker", "求助人姓名", {"seeker", "求助人"}),
    Column("consent_to_record", "同意记录身份", {"consent_to_record"}),
    Column("consent_to_refer", "同意转介", {"consent_to_refer"}),
    Column("narrative", "案情", {"narrative", "案情简述", "案情摘要"}),
]

# What registers write besides the choices' own labels.
STATUS_ALIASES = {
    "登记": CaseStatus.REGISTERED,
    "在办": CaseStatus.REGISTERED,
    "结案": CaseStatus.CLOSED,
    "办结": CaseStatus.CLOSED,
}
RISK_ALIASES = {"低": Risk.LOW, "中": Risk.MEDIUM, "高": Risk.HIGH}
OUTCOME_ALIASES = {"调解": Outcome.MEDIATED, "撤回": Outcome.WITHDRAWN}
YES = {"是", "同意", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"", "否", "不同意", "无", "n", "no", "false", "0", "×"}
ANONYMOUS = {"", "匿名", "anonymous"}
IMPORTED_STATUSES = {CaseStatus.REGISTERED, CaseStatus.CLOSED}


def _day_start(day: datetime.date) -> datetime.datetime:
    """A register keeps days, not times: the day's first moment, Beijing time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class _Row(Row):
    station_name: str = ""
    seeker_name: str = ""  # "" for an anonymous seeker


def _flag(row: _Row, column: str) -> bool:
    text = row.cells[column].text.strip().lower()
    if text in YES:
        return True
    if text not in NO:
        message = _("%(column)s must be 是 or 否")
        row.refuse(column, message % {"column": row.headers[column]})
    return False


def _read_case(row: _Row) -> None:
    cells, today = row.cells, timezone.localdate()
    row.station_name = cells["station"].text.strip()
    if not row.station_name:
        row.refuse_empty("station")
    for column in ("channel", "category", "risk", "status"):
        if not cells[column].text:
            row.refuse_empty(column)
    received_on = row.date("received_at")
    if received_on is None and not cells["received_at"].text:
        row.refuse_empty("received_at")
    if received_on and received_on > today:
        row.refuse("received_at", str(services.RECEIVED_IN_FUTURE))

    status = row.choice("status", CaseStatus, STATUS_ALIASES)
    if status and status not in IMPORTED_STATUSES:
        message = _("%(column)s is 已登记 or 已结案: a case is imported open or closed")
        row.refuse("status", message % {"column": row.headers["status"]})
        status = ""
    outcome = row.choice("outcome", Outcome, OUTCOME_ALIASES)
    closed_on = row.date("closed_on")
    if status == CaseStatus.CLOSED:
        if not cells["outcome"].text:
            row.refuse_empty("outcome")
        if closed_on is None and not cells["closed_on"].text:
            row.refuse_empty("closed_on")
        if closed_on and received_on and closed_on < received_on:
            row.refuse("closed_on", _("A case cannot be closed before it was received."))
        if closed_on and closed_on > today:
            row.refuse("closed_on", _("A case cannot be closed in the future."))
    elif status and (cells["outcome"].text or cells["closed_on"].text):
        message = _("an open case has no %(outcome)s or %(closed_on)s")
        row.refuse(
            "outcome",
            message % {"outcome": row.headers["outcome"], "closed_on": row.headers["closed_on"]},
        )

    consent_to_record = _flag(row, "consent_to_record")
    seeker = cells["seeker"].text.strip()
    row.seeker_name = "" if seeker.lower() in ANONYMOUS else seeker
    if row.seeker_name and not consent_to_record:
        row.refuse("seeker", str(services.IDENTITY_WITHOUT_CONSENT))
    elif len(row.seeker_name) > CaseParty._meta.get_field("name").max_length:
        message = _("%(column)s is longer than %(limit)d characters")
        row.refuse("seeker", message % {"column": row.headers["seeker"], "limit": 50})

    narrative = cells["narrative"].text
    case = new_record(
        Case,
        received_at=_day_start(received_on) if received_on else None,
        channel=row.choice("channel", Channel),
        risk=row.choice("risk", Risk, RISK_ALIASES),
        consent_to_record=consent_to_record,
        consent_to_refer=_flag(row, "consent_to_refer"),
        narrative=narrative,
        narrative_changed_at=timezone.now() if narrative else None,
        status=status or CaseStatus.REGISTERED,
        outcome=outcome if status == CaseStatus.CLOSED else "",
        closed_at=_day_start(closed_on) if closed_on and status == CaseStatus.CLOSED else None,
    )
    # The model's rules (the narrative's limit, a referral needs the consent to refer); the
    # station, category and number are set against what is on file.
    row.full_clean(
        case, exclude=["organization", "station", "category", "number", "client_id", "request_hash"]
    )
    case._seeker_name = row.seeker_name  # goes with its case to the writing, never a message
    row.record = case


def _stations(rows: list[_Row], by) -> dict[str, list[Station]]:
    """The stations the rows name, by name, within ``by``'s reach: one query."""
    names = {row.station_name for row in rows} - {""}
    stations = scoped(Station.objects.alive().filter(name__in=names), by)
    if getattr(by, "role", None) == Role.STATION_OPERATOR:  # its own organization's stations
        stations = stations.filter(organization_id=by.organization_id)
    found = defaultdict(list)
    for station in stations.select_related("organization"):
        found[station.name].append(station)
    return found


def _categories(rows: list[_Row]) -> dict[str, CaseCategory]:
    """The active categories by code and by name, as registers write them: one query."""
    texts = {row.cells["category"].text.strip() for row in rows} - {""}
    found = {}
    for category in CaseCategory.objects.filter(Q(code__in=texts) | Q(name__in=texts), active=True):
        found[category.code] = found[category.name] = category
    return found


def _check_cases(rows: list[_Row], by) -> None:
    stations, categories = _stations(rows, by), _categories(rows)
    for row in rows:
        case: Case = row.record
        matches = stations.get(row.station_name, [])
        if row.station_name and not matches:
            row.problems.append(str(services.STATION_OUT_OF_REACH))
        elif len(matches) > 1:
            message = _("%(count)d stations within your reach are named so: rename one first")
            row.problems.append(message % {"count": len(matches)})
        elif matches:
            station = matches[0]
            case.station, case.organization = station, station.organization
            if case.received_at and not station.is_open_on(timezone.localdate(case.received_at)):
                row.problems.append(str(services.STATION_CLOSED))
        text = row.cells["category"].text.strip()
        if text:
            category = categories.get(text)
            if category is None:
                message = _("unknown %(column)s %(value)s")
                row.problems.append(
                    message % {"column": row.headers["category"], "value": text[:50]}
                )
            else:
                case.category = category


def _write_cases(records: list[Case], *, by, progress) -> list[Case]:
    """Number the cases, in the order received, from each district's counter of the year they
    were received (under its row lock, inside the import's transaction), then write them and
    their seekers with one history row each."""
    by_year = defaultdict(list)
    for index, case in enumerate(records):
        root = case.organization.path[: Organization.steplen]
        by_year[root, timezone.localtime(case.received_at).year].append((case.received_at, index))
    districts = {
        district.path: district
        for district in Organization.objects.filter(path__in={root for root, _ in by_year})
    }
    for (root, year), cases in sorted(by_year.items()):
        counter, _created = CaseCounter.objects.select_for_update().get_or_create(
            district=districts[root], year=year
        )
        for _received, index in sorted(cases):
            counter.last += 1
            records[index].number = f"WQ-{year}-{counter.last:05d}"
        counter.save(update_fields=["last"])
    cases = write_records(Case, records, by=by, progress=progress)
    now = timezone.now()
    seekers = [
        new_record(
            CaseParty,
            case_id=case.pk,
            role=PartyRole.SEEKER,
            anonymous=not row_name,
            name=row_name,
            identity_changed_at=now if row_name else None,
        )
        for case, row_name in ((case, case._seeker_name) for case in cases)
    ]
    insert_with_history(CaseParty, seekers, by=by)
    return cases


CASES = Importer(
    model=Case,
    columns=COLUMNS,
    read_row=_read_case,
    check_rows=_check_cases,
    create=_write_cases,
    done=gettext_lazy("%(count)d cases were imported."),
    row_type=_Row,
)


def cases_import(*, data: bytes, by, dry_run: bool, **options) -> ImportReport:
    """Add a station's past cases from its register (接收站点, 接收日期, 来源渠道, 案件类别,
    风险等级, 导入时状态, 结案方式, 结案日期, 求助人姓名, 同意记录身份, 同意转介, 案情): all or
    none. ``by`` must hold the right to register cases; a station operator imports at its own
    organization's stations only."""
    if not by.has_perm("rights.add_case"):
        raise PermissionDenied
    return CASES.run(data=data, by=by, dry_run=dry_run, **options)
