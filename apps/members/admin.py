import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from apps.core.identity import mask_id_number, mask_phone
from apps.members import services
from apps.members.models import Member
from apps.organizations.admin_base import ScopedHistoryAdmin

# The last digits of a phone or ID number. A role that sees numbers masked may search only by
# the four characters the mask shows; a longer tail would let it test the hidden digits.
NUMBER_TAIL = re.compile(r"\d{3,5}[\dXx]")
SHOWN_TAIL = re.compile(r"\d{3}[\dXx]")


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The history page's "changes" column, masked like the list for roles that see it so."""

    MASKS = {
        "id_number": lambda value: mask_id_number(value or ""),
        "phone": lambda value: mask_phone(value or ""),
        "birth_date": lambda value: value.year if value else value,
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
            services.check_id_number_free(self.instance, self.user)
        except ValidationError as exc:
            self.add_error(None, exc)


@admin.register(Member)
class MemberAdmin(ScopedHistoryAdmin):
    """People: numbers masked in the list, in full on the form for roles that may read them.

    Search takes a name or the last 4–6 digits of a phone or ID number.
    Deleting marks the person deleted; the record stays for history and sync.
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
    list_filter = ["gender", "political_status", "education", "ethnicity"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    search_help_text = _("A name, or the last 4 digits of a phone or ID number.")
    autocomplete_fields = ["organization"]
    fields = [
        "organization",
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "id_number",
        "phone",
        "political_status",
        "education",
        "occupation",
        "address",
    ]

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
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_historical_record_context_helper(self, request, historical_record):
        if request.user.has_perm("members.view_identity"):
            return super().get_historical_record_context_helper(request, historical_record)
        return MaskedHistoryHelper(self.model, historical_record)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        tail = NUMBER_TAIL if request.user.has_perm("members.view_identity") else SHOWN_TAIL
        if tail.fullmatch(term):
            tail = term.upper()
            return queryset.filter(Q(id_number__endswith=tail) | Q(phone__endswith=tail)), False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        if obj is not None and not request.user.has_perm("members.view_identity"):
            masked = {
                "id_number": "id_number_masked",
                "phone": "phone_masked",
                "birth_date": "birth_year",
            }
            return [masked.get(name, name) for name in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        readonly = ["id_number_masked", "phone_masked", "birth_year"]
        if obj is not None:
            readonly.append("organization")  # a person is not moved by editing the form
        return readonly

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.member_update(member=obj, user=request.user, **fields)
        else:
            organization = form.cleaned_data["organization"]
            saved = services.member_create(organization=organization, user=request.user, **fields)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.member_delete(member=obj)

    def delete_queryset(self, request, queryset):
        for member in queryset:
            services.member_delete(member=member)
