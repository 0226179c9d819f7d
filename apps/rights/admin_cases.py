"""Cases in the admin (docs/rights.md, Cases): the list masked for every role; a case's page
in full (parties and follow-ups shown, each read logged) for case workers, masked for district
admins and staff; status moves through ``TransitionAdminMixin``. Registered from
``RightsConfig.ready()``, beside the stations' admin module.

A case worker registers a case here with the person seeking help (the same ``case_intake``
as the API's); the other parties are named through the API. Parties and visits are shown,
not edited.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.admin_transitions import TransitionAdminMixin
from apps.core.audit import access_log_write
from apps.members.choices import Gender
from apps.organizations.admin_base import ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
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


class CasePartyInline(ReadOnlyInline):
    model = CaseParty
    fields = ["role", "anonymous", "name", "gender", "id_number", "phone", "note", "linked_to"]
    readonly_fields = fields


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


class CaseAdmin(ReferredCasesMixin, TransitionAdminMixin, ScopedHistoryAdmin):
    form = CaseForm
    add_form = IntakeForm
    list_display = MASKED_FIELDS
    list_filter = [*TREE_FILTERS, "status", "risk", "channel", "category"]
    list_select_related = ["organization", "station", "category"]
    search_fields = ["number"]  # never a name or the narrative
    service_fields = services.CHANGEABLE
    inlines = [CasePartyInline, FollowUpInline, ReferralInline]

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
