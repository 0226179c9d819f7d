"""三会一课 in the admin: meetings with their attendance, the required frequencies, and the
compliance page (``/admin/members/branchmeeting/compliance/``)."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core import xlsx_export
from apps.core.admin_autocomplete import (
    PreloadedAutocompleteFormSetMixin,
    PreloadedAutocompleteInlineMixin,
)
from apps.core.validators import ascii_digits
from apps.files.admin import AttachmentsAdminMixin
from apps.members.models import BranchAttendance, BranchMeeting, MeetingRequirement
from apps.members.selectors import branch as branch_selectors
from apps.members.services import branch as branch_services
from apps.organizations.admin import INDENT, ReferenceListAdmin
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped

YEARS_OFFERED = 6  # the compliance page's years: this one and the five before


SAME_PERSON_TWICE = _("The same person is listed twice.")


class AttendanceFormSet(PreloadedAutocompleteFormSetMixin, BaseInlineFormSet):
    """The inline's rows, handed to ``branch_attendance_set`` as one list.

    A person listed twice is refused here (also on the add page): the unique
    constraint holds only among rows not deleted, which Django's formset does
    not check. The people chosen in the rows are loaded in one query
    (``apps/core/admin_autocomplete.py``).
    """

    def clean(self):
        super().clean()
        chosen = [
            form.cleaned_data["member"].pk
            for form in self.forms
            if form.cleaned_data.get("member") is not None and not form.cleaned_data.get("DELETE")
        ]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(SAME_PERSON_TWICE)

    def entries(self) -> list[dict]:
        """The attendance the forms describe, for ``branch_attendance_set``."""
        return [
            {name: form.cleaned_data[name] for name in ("member", "status", "reason")}
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("member") is not None
            and not form.cleaned_data.get("DELETE")
        ]


class BranchAttendanceInline(
    PreloadedAutocompleteInlineMixin, ScopedAdminMixin, admin.TabularInline
):
    """Who was there: present, on leave (with the reason) or absent. The same queries for 20
    rows as for 2: the people come with the rows (each row's title names its person) and the
    autocompletes' chosen people in one query."""

    model = BranchAttendance
    formset = AttendanceFormSet
    fields = ["member", "status", "reason"]
    autocomplete_fields = ["member"]
    extra = 3

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("member")


class ComplianceForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int)
    organization = forms.ModelChoiceField(
        label=_("organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("(the overview only)"),
    )

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(today.year, today.year - YEARS_OFFERED, -1)
        self.fields["year"].choices = [(year, year) for year in years]
        organization = self.fields["organization"]
        organization.queryset = scoped(Organization.objects.order_by("path"), user)
        organization.label_from_instance = lambda org: f"{INDENT * (org.depth - 1)}{org.name}"


class YearHeldFilter(admin.SimpleListFilter):
    """The year a meeting was held: the compliance page's years, then earlier ones, each a
    range on the list's index. Django's date hierarchy grouped every meeting of the subtree on
    each page to find the years to offer (docs/quality.md, 26)."""

    title = _("year held")
    parameter_name = "year"

    def first_offered(self) -> int:
        return timezone.localdate().year - YEARS_OFFERED + 1

    def lookups(self, request, model_admin):
        years = range(self.first_offered() + YEARS_OFFERED - 1, self.first_offered() - 1, -1)
        return [*((str(year), str(year)) for year in years), ("earlier", _("earlier"))]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value == "earlier":
            return queryset.filter(held_on__lt=date(self.first_offered(), 1, 1))
        if ascii_digits(value) and 1900 < int(value) < 3000:
            year = int(value)
            return queryset.filter(held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31))
        return queryset


@admin.register(BranchMeeting)
class BranchMeetingAdmin(AttachmentsAdminMixin, ScopedHistoryAdmin):
    """The subtree's meetings; saved through the branch services, attendance included.

    Deleting marks the meeting deleted: it leaves lists and compliance, and
    stays for history and for syncing clients.
    """

    list_display = ["held_on", "kind", "topic", "organization"]
    list_filter = [*TREE_FILTERS, "kind", YearHeldFilter]
    sortable_by = ["held_on", "organization"]  # the orders an index serves (docs/quality.md, 26)
    list_select_related = ["organization"]
    search_fields = ["topic", "organization__name"]
    autocomplete_fields = ["organization", "chair", "recorder"]
    fields = ["organization", "kind", "held_on", "topic", "chair", "recorder", "minutes"]
    inlines = [BranchAttendanceInline]
    attachment_route = "branchmeeting-attachment"  # minutes' scans and photos, as in the API

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)  # the files' list, read-only
        return [*fields, "organization"] if obj is not None else fields  # set once, as in the API

    service_fields = branch_services.MEETING_EDITABLE_FIELDS

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return branch_services.branch_meeting_create(
            by=request.user, organization=organization, **data
        )

    def update_object(self, request, obj, form, data):
        return branch_services.branch_meeting_update(by=request.user, meeting=obj, **data)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, AttendanceFormSet):
            return super().save_formset(request, form, formset, change)
        changes = branch_services.branch_attendance_set(
            by=request.user, meeting=formset.instance, entries=formset.entries()
        )
        # What formset.save() would have left for the admin's change message.
        formset.new_objects = changes.added
        formset.changed_objects = changes.changed
        formset.deleted_objects = changes.removed
        return None

    def delete_object(self, request, obj):
        return branch_services.branch_meeting_delete(by=request.user, meeting=obj)

    def get_urls(self):
        return [
            path(
                "compliance/",
                self.admin_site.admin_view(self.compliance_view),
                name="members_branchmeeting_compliance",
            ),
            *super().get_urls(),
        ]

    def compliance_view(self, request):
        """Which branches fall behind the required frequency in a year, and where exactly: the
        overview under each street with its subtotals, also as an Excel file (``?export=xlsx``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = ComplianceForm(request.GET or {"year": today.year}, user=request.user, today=today)
        streets = report = None
        year = today.year
        if form.is_valid():
            year, organization = form.cleaned_data["year"], form.cleaned_data["organization"]
            overview = branch_selectors.branch_compliance_overview(user=request.user, year=year)
            streets = branch_selectors.by_street(overview)
            if request.GET.get("export") == "xlsx":
                return compliance_workbook(streets, year, organization=request.user.organization)
            if organization is not None:
                report = branch_selectors.branch_compliance(
                    user=request.user, organization=organization, year=year
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Party branch meetings: compliance"),
            "form": form,
            "streets": streets,
            "total_held": sum(group.held for group in streets or []),
            "total_gaps": sum(group.gaps for group in streets or []),
            "report": report,
            "requirements": branch_selectors.requirements_listed(year),
        }
        return TemplateResponse(request, "admin/members/branchmeeting/compliance.html", context)


def street_name(street) -> str:
    """A street's name in the overview; the district's own branch is under "District level"."""
    return street.name if street is not None else gettext("District level")


def compliance_workbook(streets, year: int, *, organization):
    """The overview as the page shows it: a row per branch, a subtotal per street, the total;
    under a title naming the account's organization, the year and the day it was exported."""
    rows = []
    for group in streets:
        street = street_name(group.street)
        rows += [[street, row.organization.name, row.held, row.gaps] for row in group.rows]
        count = len(group.rows)
        subtotal = ngettext(
            "Subtotal (%(counter)s branch)", "Subtotal (%(counter)s branches)", count
        ) % {"counter": count}
        rows.append([street, subtotal, group.held, group.gaps])
    held, gaps = sum(group.held for group in streets), sum(group.gaps for group in streets)
    rows.append([gettext("Total"), "", held, gaps])
    headers = [
        gettext("street"),
        gettext("organization"),
        gettext("meetings held"),
        gettext("gaps"),
    ]
    name = gettext("Party branch meetings: compliance")
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    title = " · ".join(
        [
            str(organization),
            name,
            gettext("year %(year)s") % {"year": year},
            gettext("exported on %(date)s") % {"date": today},
        ]
    )
    return xlsx_export.workbook_response(
        gettext("Party branch meetings compliance %(year)s.xlsx") % {"year": year},
        [xlsx_export.Sheet(name=name, headers=headers, rows=rows, title=title)],
        ascii_filename=f"branch_compliance_{year}.xlsx",
    )


SETTLED_RULE = _(
    "This rule has judged months or quarters that have ended, so it stays as it is: changing it "
    "would change their compliance. To change the frequency, "
    '<a href="{url}">add a rule from a later date</a>.'
)


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(SimpleHistoryAdmin, ReferenceListAdmin):
    """The required frequencies, a row per rule and date: read by everyone in the admin, changed
    by the district's own administrators (the rule of the district-wide lists), with history.

    A frequency changes by adding a rule from a date. A rule that has judged a period that has
    ended is shown read-only, saying so and linking to the add form filled in with it: refusing
    the edit, not just warning, is what keeps past compliance as it was
    (``apps/core/effective.py``), and the form that changes nothing in the past is one click
    away. A rule from this month or later can still be corrected.
    """

    list_display = ["kind", "effective_from", "period", "minimum"]
    list_filter = ["kind"]
    search_fields = []

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.is_settled())

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        month = timezone.localdate().replace(day=1)
        initial.setdefault("effective_from", (month + timedelta(days=31)).replace(day=1))
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.is_settled() and self.has_add_permission(request):
            query = urlencode({"kind": obj.kind, "period": obj.period, "minimum": obj.minimum})
            url = f"{reverse('admin:members_meetingrequirement_add')}?{query}"
            messages.info(request, format_html(str(SETTLED_RULE), url=url))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in branch_services.REQUIREMENT_FIELDS}
        if change:
            branch_services.meeting_requirement_update(requirement=obj, **fields)
        else:
            saved = branch_services.meeting_requirement_add(
                kind=form.cleaned_data["kind"], **fields
            )
            vars(obj).update(vars(saved))  # the admin goes on with the object it built

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # reverting from history is not offered
