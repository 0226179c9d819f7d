"""Referrals in the admin (docs/rights.md, Referrals): their list and page, read-only (they are
sent and answered through the API's services), the printable referral letter (转介函) at
``/admin/rights/referral/<id>/letter/``, and, for the cases' admin, the referral exception and
the exchange shown on a case's page. Registered from ``RightsConfig.ready()``."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.core.audit import access_log_write
from apps.organizations.admin_base import ScopedHistoryAdmin
from apps.organizations.roles import Role
from apps.organizations.scoping import in_scope
from apps.rights.models_referrals import Referral
from apps.rights.selectors import cases as case_selectors
from apps.rights.selectors import referrals as selectors

LIST_FIELDS = ("case", "organization", "to_organization", "outside_kind", "outside_name")
LIST_FIELDS += ("status", "sent_at", "due_at", "answered_at")
PAGE_FIELDS = (*LIST_FIELDS, "reason", "share_identity", "share_narrative", "responded_at")
PAGE_FIELDS += ("decline_reason", "answer")


class ReferralInline(admin.TabularInline):
    """A case's whole exchange on its page: each referral, its reply and its answer."""

    model = Referral
    fk_name = "case"
    extra = 0
    can_delete = False
    fields = ("to_organization", "outside_kind", "outside_name", "reason", "status", "sent_at")
    fields += ("due_at", "responded_at", "decline_reason", "answered_at", "answer")
    readonly_fields = fields
    verbose_name_plural = _("referrals and their answers")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return case_selectors.reads_cases_in_full(request.user)


class ReferredCasesMixin:
    """For ``CaseAdmin``: a case worker also opens the cases referred to its subtree while the
    referral is open (docs/scoping.md, exception two), read-only: it works them through the
    API; everything else stays within the subtree."""

    def get_queryset(self, request):
        if getattr(request.user, "role", None) == Role.CASE_WORKER:
            base = admin.ModelAdmin.get_queryset(self, request)  # Django's, before the scope
            return selectors.referred(base, request.user)
        return super().get_queryset(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not in_scope(obj, request.user):
            return False
        return super().has_change_permission(request, obj)


class ReferralAdmin(ScopedHistoryAdmin):
    list_display = LIST_FIELDS
    list_filter = ["status", "outside_kind"]
    list_select_related = ["case", "organization", "to_organization"]
    search_fields = ["case__number"]

    def get_queryset(self, request):
        return selectors.referral_list(user=request.user)

    def full(self, request) -> bool:
        return case_selectors.reads_cases_in_full(request.user)

    def get_fields(self, request, obj=None):
        return list(PAGE_FIELDS if self.full(request) else LIST_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        if not self.full(request):  # the history holds the reason and the answer
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.full(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_add_permission(self, request):
        return False  # sent from the API (``referral_send``), where the case is chosen

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        letter = path(
            "<int:pk>/letter/",
            self.admin_site.admin_view(self.letter_view),
            name="rights_referral_letter",
        )
        return [letter, *super().get_urls()]

    def letter_view(self, request, pk):
        """The referral letter (转介函), for the browser to print or save as a PDF: only what
        the consent allows (the narrative if shared, the seeker's identity if shared), and a
        full read of the case, logged as one. ``admin_view`` sends it uncached."""
        if not self.has_view_permission(request) or not case_selectors.reads_cases_in_full(
            request.user
        ):
            raise Http404
        referral = self.get_queryset(request).filter(pk=pk).first()
        if referral is None:
            raise Http404
        case = referral.case
        seeker = None
        if referral.share_identity and case.consent_to_record:
            seeker = case.parties.filter(role="seeker", anonymous=False).first()
        access_log_write(by=request.user, record=case, through="letter")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Referral letter"),
            "referral": referral,
            "case": case,
            "narrative": case.narrative if referral.share_narrative else "",
            "seeker": seeker,
        }
        response = TemplateResponse(request, "admin/rights/referral/letter.html", context)
        response["Cache-Control"] = "no-store"
        return response


admin.site.register(Referral, ReferralAdmin)
