"""The annual report draft's paragraphs in the admin (docs/reports.md, The draft): a
district-wide list, read by the district's staff and administrators, changed by those of its
root (``ReferenceListAdmin``'s rule), saved through the services, with history."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.organizations.admin import ReferenceListAdmin
from apps.reports import services
from apps.reports.models import DraftParagraph


@admin.register(DraftParagraph)
class DraftParagraphAdmin(SimpleHistoryAdmin, ReferenceListAdmin):
    list_display = ["section", "order", "beginning", "updated_at"]
    list_display_links = ["beginning"]
    list_filter = ["section"]
    search_fields = ["text"]
    fields = ["section", "order", "text"]

    def get_readonly_fields(self, request, obj=None):
        return []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._at_the_root(request)

    @admin.display(description=_("text"))
    def beginning(self, paragraph):
        return paragraph.text if len(paragraph.text) <= 60 else f"{paragraph.text[:60]}…"

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.PARAGRAPH_FIELDS}
        if change:
            services.draft_paragraph_update(by=request.user, paragraph=obj, **fields)
        else:
            saved = services.draft_paragraph_create(by=request.user, **fields)
            vars(obj).update(vars(saved))

    def delete_model(self, request, obj):
        services.draft_paragraph_delete(by=request.user, paragraph=obj)

    def delete_queryset(self, request, queryset):
        for paragraph in queryset:
            services.draft_paragraph_delete(by=request.user, paragraph=paragraph)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # reverting from history is not offered
