"""Councils, their meetings and topics in the admin, in Chinese (docs/councils.md).

A council's page names its members (inline); a meeting's page lists the members present and
the topics raised at it; the topics' list filters by street and village, status, category and
overdue, and moves a topic only through the transitions service (actions and a "change status"
page). Every save goes through the app's services. An organization's page counts its councils,
those with no meeting in the previous quarter, and the overdue topics it should chase.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.admin_imports import SheetImportAdminMixin
from apps.core.admin_transitions import TransitionAdminMixin
from apps.councils import imports, selectors, services
from apps.councils.models import Council, CouncilMember, Meeting, MeetingAttendance, Topic
from apps.organizations.admin import Figure, add_organization_figures, subtree_list_url
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.models import Organization
from apps.organizations.scoping import with_ancestors


def _add_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form: under their field where the form has it, else on top."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


# --- Councils and their members --------------------------------------------------------------


class MemberFormSet(BaseInlineFormSet):
    """Each new or changed member is checked by the model's rules against the council."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.errors or not form.cleaned_data:
                continue
            member = form.instance
            member.council, member.organization = self.instance, self.instance.organization
            try:
                member.full_clean(exclude=["organization", "council"])
            except ValidationError as exc:
                _add_errors(form, exc)


class CouncilMemberInline(ScopedAdminMixin, admin.TabularInline):
    """Who sits on the council, in what role, for what term; a term ends by its end date."""

    model = CouncilMember
    formset = MemberFormSet
    fields = ["person", "role", "term_start", "term_end"]
    autocomplete_fields = ["person"]
    can_delete = False
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("person")


class DissolvedFilter(admin.SimpleListFilter):
    title = _("dissolved")
    parameter_name = "dissolved"

    def lookups(self, request, model_admin):
        return [("no", _("Sitting")), ("yes", _("Dissolved"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(dissolved_on__isnull=True)
        if self.value() == "yes":
            return queryset.filter(dissolved_on__isnull=False)
        return queryset


class InactiveFilter(admin.SimpleListFilter):
    """The councils that sat through the previous calendar quarter without a meeting."""

    title = _("councils with no meeting last quarter")
    parameter_name = "inactive"

    def lookups(self, request, model_admin):
        return [("yes", _("No meeting last quarter"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        inactive = selectors.councils_inactive(user=request.user, now=timezone.now())
        return queryset.filter(pk__in=inactive.values("pk"))


@admin.register(Council)
class CouncilAdmin(ScopedHistoryAdmin):
    list_display = ["name", "organization", "established_on", "dissolved_on"]
    list_filter = [*TREE_FILTERS, DissolvedFilter, InactiveFilter]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]
    fields = ["organization", *services.COUNCIL_FIELDS]
    service_fields = services.COUNCIL_FIELDS
    inlines = [CouncilMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        return ["organization"] if obj is not None else []

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.council_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.council_update(by=request.user, council=obj, **data)

    def delete_object(self, request, obj):
        return services.council_delete(by=request.user, council=obj)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, MemberFormSet):
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            data = {name: row.cleaned_data[name] for name in CouncilMemberInline.fields}
            if row.instance.pk is None:
                member = services.council_member_add(
                    by=request.user, council=formset.instance, **data
                )
                formset.new_objects.append(member)
            else:
                changed = {name: data[name] for name in row.changed_data if name in data}
                member = services.council_member_update(
                    by=request.user, member=row.instance, **changed
                )
                formset.changed_objects.append((member, list(changed)))
        return None


# --- Meetings, their attendance and topics ---------------------------------------------------


class AttendanceFormSet(BaseInlineFormSet):
    """The members present, as the page leaves them, must be members on the meeting's day."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.council_id or not self.instance.held_on:
            return
        people = [
            form.cleaned_data["person"]
            for form in self.forms
            if form.cleaned_data.get("person") and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.attendance_check(self.instance, people)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def present(self) -> list:
        return [
            form.cleaned_data["person"]
            for form in self.forms
            if form.cleaned_data.get("person") and not form.cleaned_data.get("DELETE")
        ]


class AttendanceInline(ScopedAdminMixin, admin.TabularInline):
    model = MeetingAttendance
    formset = AttendanceFormSet
    fields = ["person"]
    autocomplete_fields = ["person"]
    extra = 3

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MeetingTopicInline(ScopedAdminMixin, admin.TabularInline):
    """The topics raised at the meeting, each opened on its own page to move it on."""

    model = Topic
    fields = ["title", "category", "status", "due_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("category")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(SheetImportAdminMixin, ScopedHistoryAdmin):
    list_display = ["held_on", "council", "mode", "organization", "guests_count"]
    list_filter = [*TREE_FILTERS, "mode"]
    list_select_related = ["organization", "council"]
    search_fields = ["council__name", "organization__name"]
    autocomplete_fields = ["council", "chair", "recorder"]
    fields = ["council", *services.MEETING_FIELDS]
    service_fields = services.MEETING_FIELDS
    inlines = [AttendanceInline, MeetingTopicInline]
    # A council's past meetings (apps/councils/imports.py), for the roles that record them.
    importer = imports.MEETINGS
    import_title = _("Import past council meetings from Excel")
    import_help = _(
        "One row a meeting. 议事会 is the council's name; 会议形式 is 线下 or 云上议事厅 (an "
        "online meeting needs 线上渠道). 出席成员 are the council's members by name, separated "
        "by 、 or commas; 主持人 and 记录人 a member or a person of the council's organization; "
        "invited guests are counted in 列席嘉宾人数. "
        "Import the meetings before the topics raised at them."
    )

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        return ["council"] if obj is not None else []

    def create_object(self, request, form, data):
        council = form.cleaned_data["council"]
        return services.meeting_create(by=request.user, council=council, **data)

    def update_object(self, request, obj, form, data):
        return services.meeting_update(by=request.user, meeting=obj, **data)

    def delete_object(self, request, obj):
        return services.meeting_delete(by=request.user, meeting=obj)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, AttendanceFormSet):
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        services.meeting_attendance_set(
            by=request.user, meeting=formset.instance, people=formset.present()
        )
        return None


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = selectors.overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


@admin.register(Topic)
class TopicAdmin(SheetImportAdminMixin, TransitionAdminMixin, ScopedHistoryAdmin):
    list_display = ["raised_on", "title", "council", "category", "status", "due_on", "overdue"]
    list_filter = [*TREE_FILTERS, "status", "category", OverdueFilter]
    list_select_related = ["organization", "council", "category"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["council", "meeting", "raised_by"]
    service_fields = services.TOPIC_FIELDS
    readonly_after = ("status", "not_adopted_reason", "responsible_organization")
    readonly_after += ("responsible_body", "assigned_on", "due_on", "closed_on", "result_kind")
    # A council's past topics, each at the status it reached (apps/councils/imports.py).
    importer = imports.TOPICS
    import_title = _("Import past council topics from Excel")
    import_help = _(
        "One row a topic. 议题类别 is a category's code or Chinese name. A topic raised at a "
        "meeting gives 会议日期, a meeting already on file; 提出人 is a member of the council "
        "or a person of its organization. 状态 is 已提出, 已采纳, 不予采纳 (with 不予采纳理由), "
        "已交办 or 办理中 (with 责任单位, 交办日期 and 办理时限), 已解决 or 成果转化 (with "
        "办结日期, and 成果类型: 项目, 制度 or 服务). 责任单位 is an organization's code or "
        "name (the council's own, one below or above it) or the name of an outside body."
    )

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue(timezone.localdate())

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_fields(self, request, obj=None):
        fields = ["council", *services.TOPIC_FIELDS]
        return fields if obj is None else [*fields, *self.readonly_after]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["council", *self.readonly_after]

    def get_transition_form(self, request, obj):
        form = super().get_transition_form(request, obj)
        field = form.fields.get("responsible_organization")
        if isinstance(field, forms.ModelChoiceField):  # the subtree and its ancestors only
            field.queryset = with_ancestors(Organization.objects.all(), request.user)
        return form

    def create_object(self, request, form, data):
        council = form.cleaned_data["council"]
        return services.topic_create(by=request.user, council=council, **data)

    def update_object(self, request, obj, form, data):
        return services.topic_update(by=request.user, topic=obj, **data)

    def delete_object(self, request, obj):
        return services.topic_delete(by=request.user, topic=obj)


# --- On an organization's page (docs/workbench.md) -------------------------------------------


def organization_figures(request, organization) -> list[Figure]:
    """Its subtree's sitting councils, those that held no meeting in the previous calendar
    quarter, and the overdue topics of its own councils and its children's (docs/councils.md)."""
    now = timezone.now()
    below = {"organization__path__startswith": organization.path}
    councils = selectors.council_list(user=request.user).alive().filter(**below)
    inactive = selectors.councils_inactive(user=request.user, now=now).filter(**below)
    overdue = selectors.topic_overdue(user=request.user, now=now, organization=organization)
    return [
        Figure(
            _("women's councils"),
            councils.filter(dissolved_on__isnull=True).count(),
            subtree_list_url(request, organization, "councils_council_changelist", "dissolved=no"),
        ),
        Figure(
            _("councils with no meeting last quarter"),
            inactive.count(),
            subtree_list_url(request, organization, "councils_council_changelist", "inactive=yes"),
        ),
        Figure(
            _("overdue council topics"),
            overdue.count(),
            subtree_list_url(request, organization, "councils_topic_changelist", "overdue=yes"),
        ),
    ]


add_organization_figures(organization_figures)
