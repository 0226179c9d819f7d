"""``/reports/``: the dashboard of a subtree for a period (docs/reports.md, The dashboard).

Every role may open it for its own subtree; leadership signs in to it. The numbers are the
summary API's: both read ``selectors.report`` (the page renders them, and hands the charts the
same ``summary_data`` the API sends)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import Conflict
from apps.jobs.services import file_job_start
from apps.organizations.choices import Kind
from apps.reports import (
    annual,
    completeness,
    draft,
    exports,
    periods,
    selectors,
    signoffs,
    word,
)
from apps.reports.api.views import summary_data
from apps.reports.catalogue import BREAKDOWNS, FIGURES
from apps.reports.choices import SignOffAct, SignOffState

DOMAINS = {
    "events": gettext_lazy("Events"),
    "funds": gettext_lazy("Funds"),
    "cases": gettext_lazy("Rights protection"),
    "referrals": gettext_lazy("Referrals (green channel)"),
    "branch": gettext_lazy("三会一课"),
    "councils": gettext_lazy("Women's councils"),
    "positions": gettext_lazy("Positions"),
    "titles": gettext_lazy("Demonstration titles"),
    "coverage": gettext_lazy("Coverage"),
}
# The table by child organization: the figures leadership asks about first.
TABLE = [
    "events.held",
    "events.people_reached",
    "events.family_education_held",
    "funds.higher_level",
    "funds.donations",
    "cases.received",
    "cases.closed",
    "branch.meetings_held",
    "branch.meetings_required",
]
YEARS_OFFERED = 5
TEN_THOUSAND = Decimal(10000)


class ReportForm(forms.Form):
    organization = forms.IntegerField(required=False, min_value=1)
    # A range's own key is 22 characters (``2023-03-01..2023-04-15``): the page's links send it.
    period = forms.CharField(required=False, max_length=32)
    date_after = forms.DateField(required=False)
    date_before = forms.DateField(required=False)

    def clean(self):
        data = super().clean()
        try:
            data["asked"] = periods.asked(
                data.get("period"), data.get("date_after"), data.get("date_before")
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


def shown(value, hidden: bool = True) -> str:
    """A figure as the page shows it: thousands separated, money to the fen, a median to one
    decimal; a hidden one as said in the note, and one the period has none of (titles by
    quarter, a median of nothing) as a dash."""
    if value is None:
        return _("hidden") if hidden else "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def card_scale(unit, *numbers) -> tuple[Decimal | None, str]:
    """A card's one unit, for its figure, its change and the period before alike: money in
    万元 (as the annual report writes it) when any of them reaches 10,000 yuan, so "2.00 万元"
    never stands beside a change of "19,000.00"; the exact figures stay in the table and the API.
    (The divisor, None for none, and the unit's name.)"""
    if any(isinstance(n, Decimal) and abs(n) >= TEN_THOUSAND for n in numbers):
        return TEN_THOUSAND, str(_("10,000 yuan"))
    return None, str(unit)


def scaled(value, scale: Decimal | None, hidden: bool = True) -> str:
    """``shown``, in the card's unit."""
    if scale is not None and isinstance(value, Decimal):
        return f"{value / scale:,.2f}"
    return shown(value, hidden)


def period_choices(latest: int, current: periods.Period) -> list[tuple[str, str]]:
    """The last five years, then the quarters and months of the year shown."""
    year = current.first.year
    keys = [str(y) for y in range(latest, latest - YEARS_OFFERED, -1)]
    keys += [f"{year}-Q{q}" for q in range(1, 5)] + [f"{year}-{m:02d}" for m in range(1, 13)]
    if current.key not in keys:
        keys.insert(0, current.key)
    return [(key, str(_period_label(key))) for key in keys]


def _period_label(key: str) -> str:
    return periods.parse(key).label


@login_required
def dashboard(request):
    return _dashboard(request, export=False)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_export(request):
    """The dashboard's tables as an .xlsx file: the same report, the same numbers. A large
    subtree's file is written by a job: the page's button (a POST) starts it and goes to its
    page; a GET (a link kept from before) shows a page with that button (docs/reports.md,
    Excel)."""
    return _dashboard(request, export=True)


def _dashboard(request, *, export: bool):
    form = ReportForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return render(
            request,
            "reports/dashboard.html",
            {"title": _("Reports"), "errors": form.errors.get("__all__") or form.errors},
            status=400,
        )
    user = request.user
    organization = selectors.organization_for_report(
        user=user, organization_id=form.cleaned_data.get("organization")
    )
    latest = selectors.latest_year(user=user, organization=organization)
    period = form.cleaned_data.get("asked") or periods.year(latest)
    if export and exports.in_background(user=user, organization=organization):
        if request.method != "POST":
            return render(
                request,
                "reports/export.html",
                {"title": _("Export to Excel"), "organization": organization, "period": period},
            )
        job, _new = file_job_start(
            by=user,
            kind=exports.EXPORT_JOB,
            params={"organization": organization.pk, "period": period.key},
        )
        return redirect("jobs:page", job.pk)
    found = selectors.report(user=user, organization=organization, period=period)
    if export:
        missing = completeness.completeness(user=user, organization=organization, period=period)
        return exports.report_response(found, missing, user)
    by_key = {figure.key: figure for figure in FIGURES}
    suppressed = set(found.suppressed)
    standing = None
    if period.kind in (periods.YEAR, periods.QUARTER):
        standing = signoffs.standing(user=user, organization=organization, period=period)
    fixed = signoffs.frozen(found, standing and standing.signoff, user)
    cards = {}
    for figure in FIGURES:
        hidden = f"figures.{figure.key}" in suppressed
        number, before = found.values[figure.key], found.previous[figure.key]
        change = found.change(figure.key)
        one = fixed.get(figure.key)
        if one is not None:  # signed off: the frozen figure, the correction beside it
            number, hidden = one.value, one.hidden
            change = None if number is None or before is None else number - before
        scale, unit = card_scale(figure.unit, number, before, change)
        cards.setdefault(figure.domain, []).append(
            {
                "key": figure.key,
                "name": figure.name,
                "rule": figure.rule,
                "value": scaled(number, scale, hidden),
                "unit": unit,
                "exact": shown(number, hidden),
                "frozen": one is not None,
                "correction": None if one is None else one.correction,
                "correction_shown": None
                if one is None or one.correction is None
                else signoffs.correction_text(one.correction),
                "previous": scaled(before, scale, f"previous.{figure.key}" in suppressed),
                "change": change,
                "change_shown": None if change is None else scaled(abs(change), scale),
            }
        )
    context = {
        "title": _("Reports"),
        "report": found,
        "standing": standing,
        "missing": completeness.completeness(user=user, organization=organization, period=period),
        "domains": [(DOMAINS[domain], items) for domain, items in cards.items()],
        "columns": [by_key[key] for key in TABLE],
        "rows": [
            {
                "row": row,
                "cells": [
                    shown(row.values[key], f"children.{row.organization.pk}.{key}" in suppressed)
                    for key in TABLE
                ],
            }
            for row in found.rows
        ],
        "period_choices": period_choices(max(latest, period.first.year), period),
        "charts": {
            "summary": summary_data(found),
            "names": {figure.key: str(figure.name) for figure in FIGURES}
            | {breakdown.key: str(breakdown.name) for breakdown in BREAKDOWNS},
        },
    }
    return render(request, "reports/dashboard.html", context)


class AnnualForm(forms.Form):
    organization = forms.IntegerField(required=False, min_value=1)
    year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        error_messages={
            key: gettext_lazy("Give the year of the report, from 2000 to 2100.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )


@login_required
def annual_report(request):
    """``/reports/annual/``: the figures an annual work report quotes, grouped as the report
    is, each in the report's style beside its exact value and counting rule; for readers of
    records a link to the records it counts, for leadership the figure by child organization
    (docs/reports.md, The annual report). The same ``annual()`` as the API."""
    form = AnnualForm(request.GET)
    if not form.is_valid():
        errors = [error for messages in form.errors.values() for error in messages]
        return render(
            request,
            "reports/annual.html",
            {"title": _("Annual work report"), "errors": errors},
            status=400,
        )
    organization = selectors.organization_for_report(
        user=request.user, organization_id=form.cleaned_data.get("organization")
    )
    found = annual.annual(
        request=request, organization=organization, year=form.cleaned_data["year"]
    )
    context = {
        "title": _("Annual work report"),
        "report": found["report"],
        "year": found["year"],
        "sections": found["sections"],
        "signoff": _signoff_context(request.user, found["standing"]),
        "draft": draft.draft(found),
    }
    return render(request, "reports/annual.html", context)


def _signoff_context(user, standing: signoffs.Standing) -> dict:
    """The sign-off block of the annual page (templates/reports/_signoff.html): the state, the
    log, and the buttons this account may press, for the organization and those below it."""

    def acts(organization, row) -> list[str]:
        state = row.state if row else SignOffState.OPEN
        if state == SignOffState.SIGNED:
            return []
        found = []
        if state in (SignOffState.OPEN, SignOffState.RETURNED) and signoffs.may_act(
            user, organization, SignOffAct.CONFIRM
        ):
            found.append(SignOffAct.CONFIRM)
        village = organization.kind == Kind.VILLAGE
        if (state == SignOffState.CONFIRMED or not village) and signoffs.may_act(
            user, organization, SignOffAct.SIGN
        ):
            found.append(SignOffAct.SIGN)
        if state == SignOffState.CONFIRMED and signoffs.may_act(
            user, organization, SignOffAct.RETURN
        ):
            found.append(SignOffAct.RETURN)
        return found

    def item(organization, row) -> dict:
        state = row.state if row else SignOffState.OPEN
        return {
            "organization": organization,
            "state": state,
            "label": SignOffState(state).label,
            "acts": acts(organization, row),
        }

    return {
        "standing": standing,
        "own": item(standing.organization, standing.signoff),
        "below": [item(organization, row) for organization, row in standing.below],
        "ended": standing.period.last < timezone.localdate(timezone=periods.BEIJING),
    }


class SignOffForm(forms.Form):
    organization = forms.IntegerField(min_value=1)
    page = forms.IntegerField(min_value=1)  # the organization whose annual page to go back to
    period = forms.CharField(max_length=16)
    act = forms.ChoiceField(choices=SignOffAct.choices)
    reason = forms.CharField(required=False, max_length=2000)

    def clean_period(self):
        return signoffs.signoff_period(self.cleaned_data["period"])


@login_required
@require_POST
def signoff(request):
    """The annual page's buttons: the same service as ``POST /api/v1/reports/signoffs/``; the
    answer is a message on the annual page it came from."""
    if not request.user.has_perm("reports.add_signoff"):
        raise PermissionDenied
    form = SignOffForm(request.POST)
    if not form.is_valid():
        errors = [error for messages_ in form.errors.values() for error in messages_]
        return render(
            request,
            "reports/annual.html",
            {"title": _("Annual work report"), "errors": errors},
            status=400,
        )
    data = form.cleaned_data
    organization = selectors.organization_for_report(
        user=request.user, organization_id=data["organization"]
    )
    page = selectors.organization_for_report(user=request.user, organization_id=data["page"])
    try:
        outcome = signoffs.signoff_act(
            by=request.user,
            organization=organization,
            period=data["period"],
            act=data["act"],
            reason=data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (Conflict, PermissionDenied) as error:
        messages.error(request, str(getattr(error, "detail", error)))
    else:
        if outcome.written:
            messages.success(
                request,
                _("%(organization)s: %(state)s.")
                % {
                    "organization": organization.name,
                    "state": SignOffState(outcome.signoff.state).label,
                },
            )
    return redirect(
        f"{reverse('reports:annual')}?organization={page.pk}&year={data['period'].first.year}"
    )


@require_POST
@login_required
def annual_draft(request):
    """``POST /reports/annual/draft/`` (the page's 下载 Word 初稿): start the job that writes
    the draft as a .docx file, and go to its page, which offers the file once it is written
    (docs/reports.md, The draft). The organization must be in the reader's subtree (404)."""
    form = AnnualForm(request.POST)
    if not form.is_valid():
        errors = [error for messages in form.errors.values() for error in messages]
        return render(
            request,
            "reports/annual.html",
            {"title": _("Annual work report"), "errors": errors},
            status=400,
        )
    organization = selectors.organization_for_report(
        user=request.user, organization_id=form.cleaned_data.get("organization")
    )
    job, _new = file_job_start(
        by=request.user,
        kind=word.DRAFT_JOB,
        params={"organization": organization.pk, "year": form.cleaned_data["year"]},
    )
    return redirect("jobs:page", job.pk)
