"""Stations in the admin: the list, a station's page with its staff, and the coverage page
(``/admin/rights/station/coverage/``). Saved through the stations' services (docs/rights.md)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.organizations.admin import INDENT
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped
from apps.rights.models import Station, StationStaff
from apps.rights.selectors import stations as selectors
from apps.rights.services import stations as services


def _add_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form: under their field where the form has it, else on top."""
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class StationForm(forms.ModelForm):
    """The service's own checks (where each kind belongs, the phone, the staff's terms) on the
    form, so a refusal is a message beside the field, never an error page."""

    class Meta:
        model = Station
        fields = ["organization", *services.STATION_EDITABLE_FIELDS]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.check_station(self.instance)
        except ValidationError as exc:
            _add_errors(self, exc)


class StaffFormSet(BaseInlineFormSet):
    """Each new or changed row is checked by the service's rule (a living person of the
    station's subtree, her term inside the station's) against the station as the page sets it."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.errors or not form.cleaned_data:
                continue
            staff = form.instance
            staff.station = self.instance
            try:
                services.check_station_staff(staff)
            except ValidationError as exc:
                _add_errors(form, exc)


class StationStaffInline(ScopedAdminMixin, admin.TabularInline):
    """Who works at the station, in what role, for what term. A term ends by its end date;
    rows are not deleted."""

    model = StationStaff
    formset = StaffFormSet
    fields = ["member", "role", "started_on", "ended_on"]
    autocomplete_fields = ["member"]
    can_delete = False
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("member")


class OpenTodayFilter(admin.SimpleListFilter):
    title = _("open today")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open today")), ("no", _("Closed or not yet open"))]

    def queryset(self, request, queryset):
        today = selectors.open_on(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(today)
        if self.value() == "no":
            return queryset.exclude(today)
        return queryset


@admin.register(Station)
class StationAdmin(ScopedHistoryAdmin):
    """The subtree's stations, posts, the legal service center and collection points."""

    form = StationForm
    list_display = ["name", "kind", "organization", "opened_on", "closed_on", "open_today"]
    list_filter = [*TREE_FILTERS, "kind", OpenTodayFilter]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]
    fields = ["organization", *services.STATION_EDITABLE_FIELDS]
    inlines = [StationStaffInline]
    service_fields = services.STATION_EDITABLE_FIELDS

    @admin.display(description=_("open today"), boolean=True)
    def open_today(self, obj):
        return obj.is_open_on(timezone.localdate())

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "organization"] if obj is not None else fields  # set once, as in the API

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.station_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.station_update(by=request.user, station=obj, **data)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, StaffFormSet):
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            data = {name: row.cleaned_data[name] for name in StationStaffInline.fields}
            if row.instance.pk is None:
                staff = services.station_staff_add(
                    by=request.user, station=formset.instance, **data
                )
                formset.new_objects.append(staff)
            else:
                changed = {name: data[name] for name in row.changed_data if name in data}
                staff = services.station_staff_update(
                    by=request.user, staff=row.instance, **changed
                )
                formset.changed_objects.append((staff, list(changed)))
        return None

    def get_urls(self):
        return [
            path(
                "coverage/",
                self.admin_site.admin_view(self.coverage_view),
                name="rights_station_coverage",
            ),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        """The share of the subtree's open villages with an open station or post on a day, and
        the villages without one, each linked to its page (docs/rights.md, Coverage)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CoverageForm(request.GET or None, user=request.user)
        found = None
        if form.is_valid() or not request.GET:
            data = form.cleaned_data if form.is_bound else {}
            found = selectors.coverage(
                user=request.user,
                organization=data.get("organization") or request.user.organization,
                on=data.get("on") or timezone.localdate(),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Rights-protection stations: coverage"),
            "form": form,
            "coverage": found,
        }
        return TemplateResponse(request, "admin/rights/station/coverage.html", context)


class CoverageForm(forms.Form):
    on = forms.DateField(label=_("day"), required=False, help_text=_("Today if left empty."))
    organization = forms.ModelChoiceField(
        label=_("organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("(my whole subtree)"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        # The district, its streets and its villages: where coverage is asked about.
        tree = Organization.objects.filter(~Q(kind="committee")).order_by("path")
        organization.queryset = scoped(tree, user)
        organization.label_from_instance = lambda org: f"{INDENT * (org.depth - 1)}{org.name}"
