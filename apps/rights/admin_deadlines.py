"""The deadline rules and the overdue cases in the admin (docs/rights.md, Deadlines and
escalation). Registered from ``RightsConfig.ready()``.

The rules are a district-wide list: everyone who sees cases reads them; the district's own
administrators add them (``ReferenceListAdmin``'s rule). A rule in force is read-only.

The overdue page lists, by street, the cases the account's lists show as overdue
(``overdue_cases``), with their age: the masked fields only, for every role.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.organizations.admin import ReferenceListAdmin
from apps.rights.models import DeadlineRule
from apps.rights.selectors import overdue as overdue_selectors
from apps.rights.services import deadlines as services


class DeadlineRuleAdmin(SimpleHistoryAdmin, ReferenceListAdmin):
    list_display = ["risk", "effective_from", "first_action_hours", "close_days"]
    list_filter = ["risk"]
    search_fields = []

    def get_readonly_fields(self, request, obj=None):
        return ["risk"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.is_settled())

    def has_delete_permission(self, request, obj=None):
        return False  # a rule is followed by a new one, never removed

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("effective_from", timezone.localdate() + timedelta(days=1))
        return initial

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        if change:
            services.deadline_rule_update(by=request.user, rule=obj, **fields)
        else:
            saved = services.deadline_rule_add(
                by=request.user, risk=form.cleaned_data["risk"], **fields
            )
            vars(obj).update(vars(saved))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # reverting from history is not offered

    def get_urls(self):
        overdue = path(
            "overdue/",
            self.admin_site.admin_view(self.overdue_view),
            name="rights_case_overdue",
        )
        return [overdue, *super().get_urls()]

    def overdue_view(self, request):
        """The overdue cases of the account's lists, by street, oldest first."""
        if not request.user.has_perm("rights.view_case"):
            raise PermissionDenied
        now = timezone.now()
        cases = overdue_selectors.overdue_cases(user=request.user, now=now).select_related(
            "organization__street"
        )
        streets = defaultdict(list)
        for case in cases:
            streets[case.organization.street or case.organization].append(case)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Overdue cases"),
            "streets": sorted(streets.items(), key=lambda item: item[0].path),
            "level": overdue_selectors.level_seen_by(request.user),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rights/overdue.html", context)


admin.site.register(DeadlineRule, DeadlineRuleAdmin)
