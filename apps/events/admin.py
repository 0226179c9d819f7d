"""Events, campaigns, funds and the lists they are counted by, in the admin (docs/events.md).

The events' list filters by street and village, by a range of days, by line, category and
campaign (each offering only what the account may read), and shows the filtered list's totals
above it; a campaign's page shows who in the account's subtree has reported and who has not.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from apps.core.admin_autocomplete import (
    PreloadedAutocompleteFormSetMixin,
    PreloadedAutocompleteInlineMixin,
)
from apps.events import imports, selectors, services
from apps.events.models import Campaign, Event, EventCategory, EventParticipant, Fund, LineOfWork
from apps.files.admin import AttachmentsAdminMixin
from apps.jobs.admin_imports import BackgroundImportMixin
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class DayFilter(admin.SimpleListFilter):
    """One end of a range of days on the event's start, typed as a date or picked from the
    offers (each a range on the list's index)."""

    template = "admin/events/day_filter.html"
    bound: str  # "from" or "until"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.others = [
            (name, value)
            for name, value in request.GET.items()
            if name not in (self.parameter_name, "p")
        ]

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        if self.bound == "from":
            return [
                (today.replace(day=1).isoformat(), _("this month")),
                (today.replace(month=1, day=1).isoformat(), _("this year")),
                (today.replace(year=today.year - 1, month=1, day=1).isoformat(), _("last year")),
            ]
        return [
            (today.isoformat(), _("today")),
            ((today.replace(month=1, day=1) - timedelta(1)).isoformat(), _("end of last year")),
        ]

    def day(self):
        value = self.value() or ""
        try:
            return parse_date(value) if len(value) == 10 else None
        except ValueError:
            return None

    def queryset(self, request, queryset):
        day = self.day()
        if day is None:
            return queryset
        if self.bound == "from":
            return queryset.filter(starts_at__gte=_day_start(day))
        return queryset.filter(starts_at__lt=_day_start(day + timedelta(1)))


class StartsFromFilter(DayFilter):
    title = _("started on or after")
    parameter_name = "starts_from"
    bound = "from"


class StartsUntilFilter(DayFilter):
    title = _("started on or before")
    parameter_name = "starts_until"
    bound = "until"


class ReadableChoiceFilter(admin.SimpleListFilter):
    """A filter offering only the rows the account may read (never a whole table's names)."""

    field: str

    def rows(self, request):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(str(row.pk), str(row)) for row in self.rows(request)]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            return queryset
        return queryset.filter(**{f"{self.field}_id": int(value)})


class LineFilter(ReadableChoiceFilter):
    title = _("line of work")
    parameter_name = "line"
    field = "line"

    def rows(self, request):
        return selectors.line_list(user=request.user)


class CategoryFilter(ReadableChoiceFilter):
    title = _("category")
    parameter_name = "category"
    field = "category"

    def rows(self, request):
        return selectors.category_list(user=request.user)


class CampaignFilter(ReadableChoiceFilter):
    title = _("campaign")
    parameter_name = "campaign"
    field = "campaign"

    def rows(self, request):
        return selectors.campaign_readable(user=request.user).alive()[:50]


class ParticipantFormSet(PreloadedAutocompleteFormSetMixin, BaseInlineFormSet):
    """The inline's rows, handed to ``services.participants_set`` as one list (a person listed
    twice is refused here: the one-row rule holds among rows not deleted, which Django's
    formset does not check)."""

    def entries(self) -> list[dict]:
        return [
            {name: form.cleaned_data[name] for name in ("member", "attended", "completed")}
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("member") is not None
            and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        chosen = [entry["member"].pk for entry in self.entries()]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("The same person is listed twice."))
        participants = self.instance.participants  # the number as the event's form sets it
        if participants is not None and len(chosen) > participants:
            raise ValidationError(services.LIST_FULL % {"participants": participants})


class ParticipantInline(PreloadedAutocompleteInlineMixin, ScopedAdminMixin, admin.TabularInline):
    """The event's participant list (a training's trainees), people picked by autocomplete."""

    model = EventParticipant
    formset = ParticipantFormSet
    fields = ["member", "attended", "completed"]
    autocomplete_fields = ["member"]
    extra = 3

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("member")


# The parameters of a list whose totals the events by month can give (EventAdmin.totals_by_month):
# its filters but the campaign, the page and the sort order.
BY_MONTH_PARAMETERS = {
    *(f.parameter_name for f in TREE_FILTERS),
    "starts_from",
    "starts_until",
    "line",
    "category",
    "p",
    "o",
}


@admin.register(Event)
class EventAdmin(BackgroundImportMixin, AttachmentsAdminMixin, ScopedHistoryAdmin):
    """The subtree's events, newest first, with the filtered list's totals above it; imported
    from Excel (a dry run, every bad row, then all or none; a large sheet by a job)."""

    importer = imports.EVENTS
    import_job_kind = imports.EVENTS_JOB
    import_title = _("Import events from Excel")
    import_help = _(
        "组织 is an organization's code or name; 活动类别 a category's code or Chinese name; "
        "专项行动 a campaign's title (of one covering the organization). A day without a time "
        "is the whole day; an empty end is the start. Numbers left empty are 0."
    )

    list_display = [
        "starts_at",
        "title",
        "category",
        "organization",
        "participants",
        "people_reached",
        "spent",
    ]
    list_filter = [
        *TREE_FILTERS,
        StartsFromFilter,
        StartsUntilFilter,
        LineFilter,
        CategoryFilter,
        CampaignFilter,
    ]
    sortable_by = ["starts_at", "organization"]
    list_select_related = ["organization", "category"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization", "campaign", "position"]
    fields = ["organization", *services.EVENT_FIELDS]  # what the services write
    attachment_route = "event-attachment"
    change_list_template = "admin/events/event/change_list.html"
    service_fields = tuple(f for f in fields if f != "organization")
    inlines = [ParticipantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "organization"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":  # the seeded rows belong to no organization
            kwargs["queryset"] = selectors.category_list(user=request.user)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if db_field.name == "campaign":
            kwargs["queryset"] = selectors.campaign_readable(user=request.user).alive()
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.event_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.event_update(by=request.user, event=obj, **data)

    def delete_object(self, request, obj):
        return services.event_delete(by=request.user, event=obj)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, ParticipantFormSet):
            return super().save_formset(request, form, formset, change)
        changes = services.participants_set(
            by=request.user, event=formset.instance, entries=formset.entries()
        )
        # What formset.save() would have left for the admin's change message.
        formset.new_objects = changes.added
        formset.changed_objects = changes.changed
        formset.deleted_objects = changes.removed
        return None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The events themselves up to the cap (a street's, a village's); past it, the months
            # where the filters allow (the district's), which read one row per organization,
            # month and category rather than one per event.
            totals = selectors.event_totals(changelist.queryset, cap=selectors.TOTALS_CAP)
            if totals is None:
                totals = self.totals_by_month(request, changelist)
            response.context_data.update(totals=totals, too_many_to_total=totals is None)
        return response

    def totals_by_month(self, request, changelist):
        """The list's totals from the events by month, when every filter in use means the same
        there: a street or a village, a line, a category, and days that are whole months (from a
        first of a month, until a last). None otherwise (a search, a campaign, a day mid-month):
        the page then asks for a narrower list (docs/events.md, The admin)."""
        if set(request.GET) - BY_MONTH_PARAMETERS:
            return None
        months = selectors.event_months(user=request.user)
        for spec in changelist.filter_specs:
            if isinstance(spec, DayFilter):
                day = spec.day()
                if day is None:
                    continue
                if spec.bound == "from":
                    if day.day != 1:
                        return None
                    months = months.filter(month__gte=day)
                else:
                    if (day + timedelta(1)).day != 1:
                        return None
                    months = months.filter(month__lte=day.replace(day=1))
            else:  # a tree filter, the line or the category: the same columns on both
                months = spec.queryset(request, months)
        return selectors.month_totals(months)


class CampaignPeriodFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("running", _("running")), ("ended", _("ended")), ("ahead", _("not started"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "running":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lt=today)
        if self.value() == "ahead":
            return queryset.filter(starts_on__gt=today)
        return queryset


@admin.register(Campaign)
class CampaignAdmin(ScopedHistoryAdmin):
    """Campaigns of the subtree and of its ancestors (theirs read-only); a campaign's page
    shows who in the account's own subtree has reported events to it, and the totals."""

    list_display = ["title", "starts_on", "ends_on", "organization"]
    list_filter = [*TREE_FILTERS, CampaignPeriodFilter]
    sortable_by = ["starts_on"]
    list_select_related = ["organization"]
    search_fields = ["title"]
    autocomplete_fields = ["organization"]
    fields = ["organization", "title", "starts_on", "ends_on", "description"]
    service_fields = ("title", "starts_on", "ends_on", "description")
    change_form_template = "admin/events/campaign/change_form.html"

    def get_queryset(self, request):
        return selectors.campaign_readable(user=request.user).alive()

    def get_readonly_fields(self, request, obj=None):
        return ["organization"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        may = super().has_change_permission(request, obj)
        return may and (obj is None or self._own(request, obj))

    def has_delete_permission(self, request, obj=None):
        may = super().has_delete_permission(request, obj)
        return may and (obj is None or self._own(request, obj))

    @staticmethod
    def _own(request, obj) -> bool:
        """An ancestor's campaign is read here, never changed (docs/scoping.md)."""
        return obj.organization.path.startswith(request.user.organization.path)

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.campaign_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.campaign_update(by=request.user, campaign=obj, **data)

    def delete_object(self, request, obj):
        return services.campaign_delete(by=request.user, campaign=obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            extra_context = {
                **(extra_context or {}),
                "report": selectors.campaign_report(user=request.user, campaign=campaign),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Fund)
class FundAdmin(ScopedHistoryAdmin):
    list_display = ["received_on", "source", "amount", "purpose", "organization"]
    list_filter = [*TREE_FILTERS, "source"]
    sortable_by = ["received_on"]
    list_select_related = ["organization"]
    search_fields = ["purpose", "organization__name"]
    autocomplete_fields = ["organization", "campaign", "event"]
    fields = ["organization", "source", "amount", "received_on", "purpose", "campaign", "event"]
    service_fields = ("source", "amount", "received_on", "purpose", "campaign", "event")

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        return ["organization"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = selectors.campaign_readable(user=request.user).alive()
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.fund_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.fund_update(by=request.user, fund=obj, **data)

    def delete_object(self, request, obj):
        return services.fund_delete(by=request.user, fund=obj)


class PublishedListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A list the district extends: read by everyone below its publisher, changed by the
    district's root administrators only; a code, once given, does not change."""

    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]
    exclude = ["organization"]

    def get_queryset(self, request):
        return selectors.published_readable(self.model._default_manager.all(), request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def _at_the_root(self, request) -> bool:
        return request.user.organization.is_root()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._at_the_root(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._at_the_root(request)

    def check_saved(self, request, saved):
        """A seeded row belongs to no organization: it stays readable, so it may be renamed."""
        if not self.get_queryset(request).filter(pk=saved.pk).exists():
            raise PermissionDenied

    def save_model(self, request, obj, form, change):
        if not change:
            obj.organization = request.user.organization  # published by the root
        super().save_model(request, obj, form, change)


@admin.register(LineOfWork)
class LineOfWorkAdmin(PublishedListAdmin):
    pass


@admin.register(EventCategory)
class EventCategoryAdmin(PublishedListAdmin):
    list_display = ["name", "code", "line", "sort_order"]
    list_select_related = ["line"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "line":
            kwargs["queryset"] = selectors.line_list(user=request.user)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
