import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from apps.core import xlsx_export
from apps.core.audit import export_log_write
from apps.core.identity import mask_id_number, mask_phone, normalize_id_number, normalize_mobile
from apps.core.validators import ascii_digits
from apps.members import merging
from apps.members.admin.imports import AppointmentsImportMixin, PeopleImportMixin
from apps.members.admin.search import TOKEN_VAR, PostedSearchMixin, has_a_number
from apps.members.choices import LEADERSHIP_ROLES
from apps.members.models import Appointment, Member
from apps.members.services import people as services
from apps.organizations.admin import add_organization_inline
from apps.organizations.admin_base import ScopedHistoryAdmin, filter_text
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped

# The last digits of a phone or ID number. A role that sees numbers masked may search only by
# the four characters the mask shows; a longer tail would let it test the hidden digits.
NUMBER_TAIL = re.compile(r"\d{3,5}[\dXx]")
SHOWN_TAIL = re.compile(r"\d{3}[\dXx]")


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The history page's "changes" column, masked like the list for roles that see it so."""

    MASKS = {
        "id_number": lambda value: mask_id_number(value or ""),
        "phone": lambda value: mask_phone(value or ""),
        # Not even the year: beside the last four it leaves some 33 numbers (docs/identity.md).
        "birth_date": lambda value: "****-**-**" if value else value,
    }

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        mask = self.MASKS.get(change.field)
        return mask(value) if mask else value


class MemberForm(forms.ModelForm):
    """Checks the ID number against the people the user can see, as the API does."""

    user = None  # set per request by MemberAdmin.get_form

    def _post_clean(self):
        super()._post_clean()
        try:
            services.check_id_number_free(self.instance, by=self.user)
        except ValidationError as exc:
            existing = exc.error_dict["id_number"][0].params["existing"]
            url = reverse("admin:members_member_change", args=[existing.pk])
            self.add_error(
                "id_number",
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("A person with this ID number is already on file:"),
                    url,
                    existing.name,
                ),
            )


@admin.register(Member)
class MemberAdmin(PostedSearchMixin, PeopleImportMixin, ScopedHistoryAdmin):
    """People: numbers masked in the list, in full on the form for roles that may read them.

    Search takes a name (the person's or the organization's) or the last 4–6 digits of a
    phone or ID number, and for roles that read numbers a full one; the box posts, so a
    number is never in a URL (``admin_search.py``). Deleting marks the person deleted; the
    record stays for history and sync.
    """

    form = MemberForm
    list_display = [
        "name",
        "gender",
        "birth_year",
        "id_number_masked",
        "phone_masked",
        "organization",
        "political_status",
    ]
    list_filter = [*TREE_FILTERS, "gender", "political_status", "education", "ethnicity"]
    # The orders an index serves (docs/quality.md, 26): by default by name in pinyin order; by
    # organization in tree order. A choice column sorts thousands of rows alike.
    sortable_by = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name"]
    search_help_text = _(
        "A name or an organization's name, or the last 4 digits of a phone or ID number (the "
        "full number if you may read it)."
    )
    autocomplete_fields = ["organization"]
    fields = ["organization", *services.EDITABLE_FIELDS]

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj):
        return obj.birth_year

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, obj):
        return obj.id_number_masked

    @admin.display(description=_("mobile phone"))
    def phone_masked(self, obj):
        return obj.phone_masked

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_list_display(self, request):
        """The year of birth only for roles that read numbers in full (docs/identity.md); the
        export follows the list."""
        shown = super().get_list_display(request)
        if request.user.has_perm("members.view_identity"):
            return shown
        return [name for name in shown if name != "birth_year"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_historical_record_context_helper(self, request, historical_record):
        if request.user.has_perm("members.view_identity"):
            return super().get_historical_record_context_helper(request, historical_record)
        return MaskedHistoryHelper(self.model, historical_record)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if has_a_number(term):  # from a URL (the box posts it to search_by_number)
            return queryset.none(), False
        tail = NUMBER_TAIL if request.user.has_perm("members.view_identity") else SHOWN_TAIL
        if tail.fullmatch(term):
            tail = term.upper()
            return queryset.filter(Q(id_number__endswith=tail) | Q(phone__endswith=tail)), False
        return super().get_search_results(request, queryset, search_term)

    def search_by_number(self, request, queryset, term):
        """A full ID number or mobile phone, for roles that read them: anyone else could find
        the digits the mask hides by trying them."""
        if not request.user.has_perm("members.view_identity"):
            return queryset.none()
        for field, normalize in (("id_number", normalize_id_number), ("phone", normalize_mobile)):
            try:
                return queryset.filter(**{field: normalize(term)})
            except ValidationError:
                continue
        return queryset.none()

    def get_fields(self, request, obj=None):
        if obj is not None and not request.user.has_perm("members.view_identity"):
            masked = {"id_number": "id_number_masked", "phone": "phone_masked"}
            # No birth date, nor its year, beside the last four digits (docs/identity.md).
            return [masked.get(name, name) for name in self.fields if name != "birth_date"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        readonly = ["id_number_masked", "phone_masked", "birth_year"]
        if obj is not None:
            readonly.append("organization")  # a person is not moved by editing the form
        return readonly

    service_fields = services.EDITABLE_FIELDS

    def get_service_fields(self, form):
        return [name for name in self.service_fields if name in form.cleaned_data]

    def create_object(self, request, form, data):
        organization = form.cleaned_data["organization"]
        return services.member_create(by=request.user, organization=organization, **data)

    def update_object(self, request, obj, form, data):
        return services.member_update(by=request.user, member=obj, **data)

    def delete_object(self, request, obj):
        return services.member_delete(by=request.user, member=obj)

    def get_export_filters(self, request):
        """A search by number is named as such: the number itself stays out of the file."""
        said = super().get_export_filters(request)
        if request.GET.get(TOKEN_VAR):
            said.append(str(_("search by number")))
        return said

    def get_urls(self):
        duplicates = self.admin_site.admin_view(self.duplicates_view)
        roster = self.admin_site.admin_view(self.roster_view)
        return [
            path("duplicates/", duplicates, name="members_member_duplicates"),
            path("roster/<int:organization_id>/", roster, name="members_member_roster"),
            *super().get_urls(),
        ]

    def roster_view(self, request, organization_id):
        """An organization's roster (花名册): one workbook, its people on one sheet and the
        appointments held there on the other, each exported as its list exports
        (docs/identity.md, Exports). Offered on the organization's page
        (templates/admin/organizations/organization/change_form.html)."""
        appointment_admin = self.admin_site.get_model_admin(Appointment)
        if not (
            self.has_view_permission(request) and appointment_admin.has_view_permission(request)
        ):
            raise PermissionDenied
        organization = get_object_or_404(
            scoped(Organization.objects.all(), request.user), pk=organization_id
        )
        filters = [filter_text(Organization._meta.verbose_name, organization.name)]
        sheets, records = [], []
        for model_admin in (self, appointment_admin):
            queryset = model_admin.get_queryset(request).filter(organization=organization)
            rows = model_admin.export_rows(request, queryset)
            if rows is None:
                return redirect(
                    reverse("admin:organizations_organization_change", args=[organization.pk])
                )
            sheets.append(model_admin.export_sheet(request, rows, filters=filters))
            records.extend(rows)
        export_log_write(by=request.user, records=records)
        today = timezone.localdate().strftime("%Y%m%d")
        return xlsx_export.workbook_response(
            f"{_('roster')}_{organization.name}_{today}.xlsx",
            sheets,
            ascii_filename=f"roster_{organization.pk}_{today}.xlsx",
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_merge": self.has_delete_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def duplicates_view(self, request):
        """Likely duplicates in the user's subtree, a page of groups at a time (read from the
        pairs kept on write, docs/merging.md); staff pick the record to keep in each group."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("action") == "distinct":
            return self._mark_distinct(request)
        if request.method == "POST":
            return self._merge(request)
        page = merging.duplicate_groups_page(by=request.user, number=request.GET.get("p", 1))
        return self._duplicates_page(request, groups=page.object_list, page=page)

    def _duplicates_page(self, request, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Likely duplicates"),
            "may_confirm": merging.may_confirm(request.user),
            **context,
        }
        return TemplateResponse(request, "admin/members/member/duplicates.html", context)

    def _mark_distinct(self, request):
        """Not the same person: the posted group's pairs are no longer shown (docs/merging.md)."""
        ids = [value for value in request.POST.getlist("member") if ascii_digits(value)]
        group = list(self.get_queryset(request).filter(pk__in=ids))
        if len(group) != len(set(ids)):
            messages.error(request, _("Some of these records are not yours to decide on."))
            return redirect("admin:members_member_duplicates")
        try:
            merging.mark_distinct(by=request.user, people=group)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            names = "、".join(sorted({person.name for person in group}))
            messages.success(
                request, _("%(names)s: recorded as different people.") % {"names": names}
            )
        return redirect("admin:members_member_duplicates")

    def _merge(self, request):
        """Merge the posted group into the chosen record; records the page did not propose
        only with a district administrator's confirmation naming every village."""
        people = self.get_queryset(request)
        posted = request.POST.getlist("member")
        if request.POST.get("keep"):  # the form for records the page does not propose
            posted = [request.POST["keep"], request.POST.get("other", "")]
            chosen = request.POST["keep"]
        else:
            chosen = request.POST.get("survivor", "")
        ids = [value for value in posted if ascii_digits(value)]
        group = list(people.filter(pk__in=ids).select_related("organization").order_by("pk"))
        survivor = next((p for p in group if str(p.pk) == chosen), None)
        if survivor is None or len(group) < 2:
            messages.error(request, _("Choose the record to keep."))
            return redirect("admin:members_member_duplicates")
        others = [person for person in group if person != survivor]
        try:
            merging.member_merge_group(
                survivor=survivor,
                duplicates=others,
                by=request.user,
                confirmation=request.POST.get("confirm", ""),
            )
        except ValidationError as exc:
            if exc.code == "not_one_person" and merging.may_confirm(request.user):
                sentence = merging.confirmation_text(survivor, others)
                return self._duplicates_page(
                    request, confirming=[survivor, *others], sentence=sentence
                )
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Merged into %(name)s.") % {"name": survivor.name})
        return redirect("admin:members_member_duplicates")


class AppointmentForm(forms.ModelForm):
    """Refuses a second chair (or secretary) for the same time, as the API does."""

    def _post_clean(self):
        super()._post_clean()
        if self.instance.organization_id and self.instance.started_on and not self.errors:
            try:
                services.check_single_holder(self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)


class AppointmentInline(admin.TabularInline):
    """A person's roles and terms, on the person's page."""

    model = Appointment
    form = AppointmentForm
    fields = ["organization", "role", "started_on", "ended_on", "note"]
    autocomplete_fields = ["organization"]
    extra = 0

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user).alive()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organization":
            formfield.queryset = scoped(formfield.queryset, request.user)
        return formfield


MemberAdmin.inlines = [AppointmentInline]


class CurrentFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("Current")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.past()
        return queryset


@admin.register(Appointment)
class AppointmentAdmin(AppointmentsImportMixin, ScopedHistoryAdmin):
    """Every appointment of the subtree, filtered by role and by current or ended terms."""

    form = AppointmentForm
    list_display = ["member", "role", "organization", "started_on", "ended_on"]
    list_filter = [*TREE_FILTERS, "role", CurrentFilter]
    sortable_by = ["member", "organization"]  # the orders an index serves (docs/quality.md, 26)
    list_select_related = ["member", "organization"]
    search_fields = ["member__name", "organization__name"]
    autocomplete_fields = ["member", "organization"]
    fields = ["member", "organization", "role", "started_on", "ended_on", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def get_readonly_fields(self, request, obj=None):
        return ["member", "organization"] if obj is not None else []

    service_fields = services.APPOINTMENT_EDITABLE_FIELDS

    def create_object(self, request, form, data):
        member, organization = form.cleaned_data["member"], form.cleaned_data["organization"]
        return services.appointment_create(
            by=request.user, member=member, organization=organization, **data
        )

    def update_object(self, request, obj, form, data):
        return services.appointment_update(by=request.user, appointment=obj, **data)

    def delete_object(self, request, obj):
        return services.appointment_delete(by=request.user, appointment=obj)


class LeadershipInline(admin.TabularInline):
    """An organization's current leadership, read-only, on the organization's page."""

    model = Appointment
    fk_name = "organization"
    verbose_name = _("current leader")
    verbose_name_plural = _("current leadership")
    fields = ["member", "role", "started_on", "ended_on"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .current()
            .filter(role__in=LEADERSHIP_ROLES)
            .select_related("member")
        )


# The organization's page is the organizations app's; its leadership comes from people.
add_organization_inline(LeadershipInline)
