"""Cases in the admin (docs/rights.md, Cases): the list masked for every role; a case's page
in full (parties and follow-ups shown, each read logged) for case workers, masked for district
admins and staff; status moves through ``TransitionAdminMixin``. Registered from
``RightsConfig.ready()``, beside the stations' admin module.

A case worker registers a case here with the person seeking help (the same ``case_intake``
as the API's); on its page the parties are named, changed and (while the case is open)
removed, through the same services as the API's. Follow-up visits are shown, not edited.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from apps.core.admin_imports import SheetImportAdminMixin
from apps.core.admin_transitions import TransitionAdminMixin
from apps.core.audit import access_log_write
from apps.members.choices import Gender
from apps.organizations.admin_base import ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
from apps.rights import imports
from apps.rights.admin_referrals import ReferralInline, ReferredCasesMixin
from apps.rights.choices import PartyRole
from apps.rights.models import Case, CaseParty, FollowUp
from apps.rights.selectors import cases as selectors
from apps.rights.services import cases as services

# What a masked reader may see: the masked API shape (docs/roles.md).
MASKED_FIELDS = ("number", "organization", "station", "received_at", "channel", "category")
MASKED_FIELDS += ("risk", "status", "outcome")
FULL_FIELDS = (*MASKED_FIELDS, "consent_to_record", "consent_to_refer", "narrative")
FULL_FIELDS += ("narrative_changed_at", "closed_at")
ALWAYS_READ_ONLY = ("number", "organization", "station", "status", "outcome")
ALWAYS_READ_ONLY += ("narrative_changed_at", "closed_at")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return selectors.reads_cases_in_full(request.user)


class PartyFormSet(BaseInlineFormSet):
    """Each new or changed party is checked by the intake's consent rules, against the consent
    as the page sets it; a party is removed only while the case is open and no other case's
    party is linked to it (``party_remove``'s rules, asked here to show them on the page)."""

    def clean(self):
        super().clean()
        consent = self.instance.consent_to_record  # as the page sets it (the admin's new object)
        refused = []
        for form in self.forms:
            if form.errors or not getattr(form, "cleaned_data", None):
                continue
            if form.cleaned_data.get("DELETE"):
                if form.instance.pk is not None:
                    try:
                        services.party_remove_check(party=form.instance)
                    except ValidationError as exc:
                        refused.extend(exc.messages)  # a row to delete shows no errors
                continue
            if not form.has_changed():
                continue
            row = {name: form.cleaned_data.get(name) for name in services.PARTY_CHANGEABLE}
            try:
                services.parties_clean([row], consent_to_record=consent)
            except ValidationError as exc:
                form.add_error(None, [m.split(": ", 1)[-1] for m in exc.messages])
        if refused:
            raise ValidationError(sorted(set(refused)))


class CasePartyInline(admin.TabularInline):
    """The parties, changed here by the roles that read the case in full, through the same
    services as the API's (``party_create``, ``party_update``, ``party_remove``)."""

    model = CaseParty
    formset = PartyFormSet
    fields = [*services.PARTY_CHANGEABLE, "linked_to"]
    readonly_fields = ["linked_to"]
    extra = 0

    def has_view_permission(self, request, obj=None):
        return selectors.reads_cases_in_full(request.user)

    def has_add_permission(self, request, obj=None):
        return self.has_view_permission(request) and request.user.has_perm("rights.change_case")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["visited_on", "method", "note", "by"]
    readonly_fields = fields


class CaseForm(forms.ModelForm):
    """Shows the service's refusals (a closed station, a consent withdrawn while parties are
    named) on the page, as the API answers them with a 400, before anything is saved."""

    user = None  # the account, set by CaseAdmin.get_form

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and self.user is not None:
            fields = {name: data[name] for name in self.changed_data if name in data}
            try:
                services.case_change_check(by=self.user, case=self.instance, fields=fields)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return data


class IntakeForm(CaseForm):
    """A case worker's intake: the case and the person seeking help (other parties are named
    through the API's ``…/{id}/parties/``), under the same rules as the API's intake."""

    seeker_anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    seeker_name = forms.CharField(label=_("name of the person seeking help"), required=False)
    seeker_gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "---------"), *Gender.choices], required=False
    )
    seeker_id_number = forms.CharField(label=_("ID number"), required=False, max_length=18)
    seeker_phone = forms.CharField(label=_("phone"), required=False, max_length=20)

    def clean(self):
        data = super().clean()
        seeker = {
            "role": PartyRole.SEEKER,
            **{name: data.get(f"seeker_{name}") for name in SEEKER_FIELDS},
        }
        try:
            if data.get("station") and data.get("received_at"):
                services.station_check(
                    by=self.user, station=data["station"], received_at=data["received_at"]
                )
            (self.seeker,) = services.parties_clean(
                [seeker], consent_to_record=bool(data.get("consent_to_record"))
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data


SEEKER_FIELDS = ("anonymous", "name", "gender", "id_number", "phone")
INTAKE_FIELDS = ("station", "received_at", "channel", "category", "risk", "consent_to_record")
INTAKE_FIELDS += ("consent_to_refer", "narrative", *(f"seeker_{name}" for name in SEEKER_FIELDS))


class CaseAdmin(
    ReferredCasesMixin, SheetImportAdminMixin, TransitionAdminMixin, ScopedHistoryAdmin
):
    form = CaseForm
    add_form = IntakeForm
    list_display = MASKED_FIELDS
    list_filter = [*TREE_FILTERS, "status", "risk", "channel", "category"]
    list_select_related = ["organization", "station", "category"]
    search_fields = ["number"]  # never a name or the narrative
    service_fields = services.CHANGEABLE
    inlines = [CasePartyInline, FollowUpInline, ReferralInline]
    # A station's past register (apps/rights/imports.py): for the roles that register cases
    # (the add right); the masked roles have neither the page nor its button.
    importer = imports.CASES
    import_title = _("Import a station's past register from Excel")
    import_help = _(
        "One row a case. 导入时状态 is 已登记 or 已结案; a closed case needs 结案方式 and "
        "结案日期. 求助人姓名 empty or 匿名 records the person anonymously; a name needs "
        "同意记录身份 是. "
        "Case numbers continue each year's series. Messages never repeat a narrative or a name."
    )

    def full(self, request) -> bool:
        return selectors.reads_cases_in_full(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(INTAKE_FIELDS)
        return list(FULL_FIELDS if self.full(request) else MASKED_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not self.full(request):
            return list(MASKED_FIELDS)
        return list(ALWAYS_READ_ONLY)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and self.full(request) else []

    def get_service_fields(self, form):
        return [name for name in self.service_fields if name in form.cleaned_data]

    def create_object(self, request, form, data):
        fields = {name: form.cleaned_data[name] for name in INTAKE_FIELDS[:8]}
        return services.case_intake(by=request.user, parties=[form.seeker], **fields)

    def update_object(self, request, obj, form, data):
        return services.case_update(by=request.user, case=obj, **data)

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted: withdrawn is an outcome

    def import_sheet(self, request, data: bytes, *, dry_run: bool):
        return imports.cases_import(data=data, by=request.user, dry_run=dry_run)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, PartyFormSet):
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        case = form.instance
        for row in formset.forms:
            if not getattr(row, "cleaned_data", None):
                continue
            if row.cleaned_data.get("DELETE"):
                if row.instance.pk is not None:
                    services.party_remove(by=request.user, party=row.instance)
                    formset.deleted_objects.append(row.instance)
                continue
            if not row.has_changed():
                continue
            data = {name: row.cleaned_data.get(name) for name in services.PARTY_CHANGEABLE}
            if row.instance.pk is None:
                party = services.party_create(by=request.user, case=case, **data)
                formset.new_objects.append(party)
            else:
                changed = {name: data[name] for name in row.changed_data if name in data}
                party = services.party_update(by=request.user, party=row.instance, **changed)
                formset.changed_objects.append((party, list(changed)))
        return None

    def get_export_columns(self, request):
        """The list's masked columns only: nothing else of a case leaves in a file."""
        return super().get_export_columns(request)[: len(self.list_display)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and self.full(request):
            case = self.get_object(request, object_id)
            if case is not None:
                access_log_write(by=request.user, record=case, through="admin")
        return response  # not cached: the admin's views send no-store already (never_cache)

    def render_history_view(self, request, template, context, **kwargs):
        """A move's note is a case worker's free text: the masked roles see who changed what
        and when, never why (the narrative's own text is never in the history at all)."""
        if not self.full(request):
            page = context["page_obj"]
            page.object_list = list(page.object_list)
            for record in page.object_list:
                record.history_change_reason = None
        return super().render_history_view(request, template, context, **kwargs)


admin.site.register(Case, CaseAdmin)
