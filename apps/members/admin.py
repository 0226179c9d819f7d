import re

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.members import services
from apps.members.models import Member
from apps.organizations.admin_base import ScopedHistoryAdmin

# The last digits of a phone or ID number: enough to find someone, not enough to be one.
NUMBER_TAIL = re.compile(r"\d{4,6}[Xx]?")
IDENTITY_FIELDS = ("id_number", "phone")


@admin.register(Member)
class MemberAdmin(ScopedHistoryAdmin):
    """People: numbers masked in the list, in full on the form for roles that may read them.

    Search takes a name or the last 4–6 digits of a phone or ID number.
    Deleting marks the person deleted; the record stays for history and sync.
    """

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
    search_help_text = _("A name, or the last 4–6 digits of a phone or ID number.")
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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if NUMBER_TAIL.fullmatch(term):
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
            services.member_update(member=obj, **fields)
        else:
            saved = services.member_create(organization=form.cleaned_data["organization"], **fields)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.member_delete(member=obj)

    def delete_queryset(self, request, queryset):
        for member in queryset:
            services.member_delete(member=member)
