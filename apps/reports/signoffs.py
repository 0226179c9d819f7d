"""Sign-off and freeze of a period's figures (docs/reports.md, Sign-off): the one service that
confirms, signs off and returns, and the reads the pages and the API show.

The order, for one year or quarter that has ended:

- a **village** (or community) confirms its figures (its own station operator, staff or
  district admin): open or returned → confirmed;
- its **street**'s staff or district admin sign them off (confirmed → signed, the figures
  frozen) or return them with a reason (confirmed → returned, a notice to the village);
- the **street** signs off its own figures (open → signed, frozen) once every village below it
  is signed off;
- the **district** (its root's staff or district admin) signs off last, once every street below
  it is signed off.

A women's committee takes no part: its records count in its parent's figures. A signed period
is final. Every act is a row of ``SignOffEntry``; repeating the act that led to the present
state changes nothing and writes no row (a retried request answers the same state).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict
from apps.notices.services import notice_send
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from apps.reports import periods, selectors
from apps.reports.catalogue import BY_KEY, FIGURES
from apps.reports.choices import ACT_FROM, ACT_TO, SignOffAct, SignOffState
from apps.reports.models import SignOff, SignOffEntry
from apps.reports.periods import BEIJING, Period

CONFIRMERS = {Role.DISTRICT_ADMIN, Role.STAFF, Role.STATION_OPERATOR}
SIGNERS = {Role.DISTRICT_ADMIN, Role.STAFF}
TAKING_PART = (Kind.DISTRICT, Kind.STREET, Kind.VILLAGE)
FINAL_PRIMARY = "default"  # the frozen figures are read from the primary, never a replica


def signoff_period(text: str) -> Period:
    """A year (2025) or a quarter (2025-Q4): the periods that are signed off."""
    period = periods.parse(text)
    if period.kind not in (periods.YEAR, periods.QUARTER):
        raise ValidationError(
            _("Figures are signed off by year (2025) or by quarter (2025-Q4)."), code="period"
        )
    return period


def last_year() -> Period:
    """The latest year that has ended: what the sign-off's state is read for by default."""
    return periods.year(timezone.localdate(timezone=BEIJING).year - 1)


def _parent_path(organization: Organization) -> str:
    return organization.path[: -organization.steplen]


def _below(organization: Organization, user, *, using=None):
    """The organizations right below that take part in the sign-off (a district's streets, a
    street's villages), through the one scoping rule."""
    if organization.kind == Kind.VILLAGE:
        return Organization.objects.none()
    manager = Organization.objects.using(using) if using else Organization.objects
    below = manager.filter(
        path__startswith=organization.path,
        depth=organization.depth + 1,
        kind__in=[Kind.STREET, Kind.VILLAGE],
    )
    return scoped(below, user)


def _check_authority(by, organization: Organization, act: str) -> None:
    """Only the right account acts (403 otherwise; outside the subtree it was already a 404 or
    a "does not exist"): a village confirms itself; its parent signs or returns it; a street or
    a district signs itself."""
    if organization.kind not in TAKING_PART:
        raise ValidationError(
            {"organization": _("A women's committee's figures are signed off with its parent's.")}
        )
    own = by.organization_id == organization.pk
    if organization.kind == Kind.VILLAGE:
        if act == SignOffAct.CONFIRM:
            allowed = own and by.role in CONFIRMERS
        else:
            allowed = by.organization.path == _parent_path(organization) and by.role in SIGNERS
    else:
        if act != SignOffAct.SIGN:
            raise ValidationError(
                {"act": _("A street's or a district's figures are only signed off.")}
            )
        allowed = own and by.role in SIGNERS
    if not allowed:
        raise PermissionDenied(_("Your account may not do this for this organization's figures."))


@dataclass
class Outcome:
    signoff: SignOff
    written: bool  # False: the act had been done already (a retry): nothing written


@transaction.atomic
def signoff_act(
    *, by, organization: Organization, period: Period, act: str, reason: str = ""
) -> Outcome:
    """Confirm, sign off or return ``organization``'s figures for ``period`` (see the module's
    order). Serialised on the period's row, so two accounts acting at once leave one state and
    one log row."""
    _check_authority(by, organization, act)
    reason = (reason or "").strip()
    if act == SignOffAct.RETURN and not reason:
        raise ValidationError({"reason": _("Say why the figures are returned.")})
    if period.last >= timezone.localdate(timezone=BEIJING):
        raise ValidationError(
            {"period": _("A period is signed off once it has ended.")}, code="period"
        )
    SignOff.objects.bulk_create(
        [SignOff(organization=organization, period=period.key)], ignore_conflicts=True
    )
    signoff = SignOff.objects.select_for_update().get(organization=organization, period=period.key)
    if signoff.state == ACT_TO[act]:
        return Outcome(signoff, written=False)  # done already: the same answer, no new row
    if signoff.state == SignOffState.SIGNED:
        raise Conflict(_("These figures are signed off already; they cannot change."))
    starts = ACT_FROM[act] if organization.kind == Kind.VILLAGE else {SignOffState.OPEN}
    if signoff.state not in starts:
        raise Conflict(_("The village has not confirmed these figures."))
    if act == SignOffAct.SIGN and organization.kind != Kind.VILLAGE:
        below = _below(organization, by).values_list("pk", flat=True)
        signed = SignOff.objects.filter(
            organization__in=below, period=period.key, state=SignOffState.SIGNED
        )
        if signed.count() != len(below):
            raise Conflict(
                _("Every organization below must be signed off first (%(signed)d of %(all)d).")
                % {"signed": signed.count(), "all": len(below)}
            )
    signoff.state = ACT_TO[act]
    if act == SignOffAct.SIGN:
        signoff.signed_at = timezone.now()
        signoff.figures = _freeze(by, organization, period)
    signoff.full_clean(exclude=["organization"])
    signoff.save()
    entry = SignOffEntry(signoff=signoff, act=act, state=signoff.state, by=by, reason=reason)
    entry.full_clean(exclude=["signoff", "by"])
    entry.save()
    if act == SignOffAct.RETURN:
        notice_send(
            by=by,
            organization=organization,
            roles=CONFIRMERS,
            title=_("Your figures for %(period)s were returned") % {"period": period.label},
            body=reason,
            link=f"{reverse('reports:annual')}?organization={organization.pk}"
            f"&year={period.first.year}",
        )
    return Outcome(signoff, written=True)


def _freeze(by, organization: Organization, period: Period) -> dict:
    """The figures at the moment of the final sign-off, as the summary API sends them, read
    from the primary database (issue 19's replica may lag behind the last edits)."""
    from apps.reports.api.views import summary_data

    found = selectors.report(user=by, organization=organization, period=period, using=FINAL_PRIMARY)
    return summary_data(found)


# Reads ---------------------------------------------------------------------------------------


@dataclass
class Standing:
    """What the page and the API show of one organization's period."""

    organization: Organization
    period: Period
    signoff: SignOff | None
    below: list[tuple[Organization, SignOff | None]]
    entries: list[SignOffEntry]

    @property
    def state(self) -> str:
        return self.signoff.state if self.signoff else SignOffState.OPEN

    @property
    def signed(self) -> bool:
        return self.state == SignOffState.SIGNED

    @property
    def label(self) -> str:
        return str(SignOffState(self.state).label)


def standing(*, user, organization: Organization, period: Period) -> Standing:
    """The period's state for ``organization`` (in ``user``'s subtree), the state of each
    organization below that takes part, and the log of all their acts. Four queries."""
    below = list(_below(organization, user).order_by("path"))
    ids = [organization.pk, *(o.pk for o in below)]
    rows = {
        row.organization_id: row
        for row in scoped(SignOff.objects.filter(organization__in=ids, period=period.key), user)
    }
    entries = list(
        scoped(SignOffEntry.objects.filter(signoff__in=list(rows.values())), user)
        .select_related("by", "signoff__organization")
        .order_by("at", "id")
    )
    return Standing(
        organization=organization,
        period=period,
        signoff=rows.get(organization.pk),
        below=[(o, rows.get(o.pk)) for o in below],
        entries=entries,
    )


def may_act(user, organization: Organization, act: str) -> bool:
    """Whether ``user`` may do ``act`` for ``organization`` (the page's buttons)."""
    try:
        _check_authority(user, organization, act)
    except (PermissionDenied, ValidationError):
        return False
    return True


# The frozen figures beside the live ones ---------------------------------------------------

SMALL = selectors.SMALL


def _frozen_values(figures: dict) -> dict[str, Any]:
    values = {}
    for domain, found in figures.get("figures", {}).items():
        for name, value in found.items():
            key = f"{domain}.{name}"
            if key in BY_KEY and isinstance(value, str):
                value = Decimal(value)
            values[key] = value
    return values


@dataclass
class Frozen:
    """A figure of a signed period: the value frozen at sign-off, the correction (live −
    frozen, None when none or hidden), and whether they are hidden from the reader."""

    value: Any
    hidden: bool  # for leadership: the frozen value and its correction alike
    correction: Any


def frozen(found: selectors.Report, signoff: SignOff | None, user) -> dict[str, Frozen]:
    """Each figure of a signed period as frozen, with its correction. For leadership a case
    figure's frozen value and correction are hidden together when the live figure is hidden,
    the frozen count is 1–4, or the correction is 1–4 either way (a correction never reveals a
    small number; docs/reports.md, Sign-off). Empty for a period not signed off."""
    if signoff is None or signoff.state != SignOffState.SIGNED or not signoff.figures:
        return {}
    values = _frozen_values(signoff.figures)
    leadership = user.role == Role.LEADERSHIP
    suppressed = set(found.suppressed)
    result: dict[str, Frozen] = {}
    for figure in FIGURES:
        then, now = values.get(figure.key), found.values.get(figure.key)
        if isinstance(now, float):  # a median: frozen as the API sends it, to one decimal
            now = round(now, 1)
        live_hidden = f"figures.{figure.key}" in suppressed
        difference = None
        if then is not None and now is not None and now != then:
            difference = now - then
            if isinstance(difference, float):
                difference = round(difference, 1)
        hidden = False
        if leadership and figure.source.sensitive:
            small = figure.adds_up and (
                then in SMALL or (difference is not None and abs(difference) in SMALL)
            )
            hidden = live_hidden or small
        result[figure.key] = Frozen(
            value=None if hidden else then,
            hidden=hidden,
            correction=None if hidden else difference,
        )
    if leadership:  # a median is hidden with the count it is the median of
        for figure in FIGURES:
            if figure.source.sensitive and not figure.adds_up:
                count = next(f for f in FIGURES if f.adds_up and f.source is figure.source)
                if result[count.key].hidden:
                    result[figure.key] = Frozen(None, True, None)
    return result


def correction_text(value) -> str:
    """A correction as the pages write it: "+2", "−1,200.00"."""
    sign = "+" if value > 0 else "−"
    magnitude = abs(value)
    if isinstance(magnitude, Decimal):
        return f"{sign}{magnitude:,.2f}"
    if isinstance(magnitude, float):
        return f"{sign}{magnitude:,.1f}"
    return f"{sign}{magnitude:,}"
