"""The admin's "Import from Excel" page, for any importer of apps/core/imports.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.core.forms import SheetImportForm
from apps.core.imports import Importer
from apps.core.xlsx import MAX_ROWS, SheetError


class SheetImportAdminMixin:
    """An ``import/`` page beside the changelist, for roles that may add: a dry run lists every
    bad row; with the dry run unticked, all rows are added or none.

    A ModelAdmin names its importer and the page's words. The page is the first of
    ``admin/<app>/<model>/import.html``, ``admin/<app>/import.html`` and ``admin/import.html``
    (which the others extend with their instructions); the button is in the changelist's
    template. ``admin_view()`` sends ``Cache-Control: no-store``: the accounts' page shows
    first passwords.
    """

    importer: Importer
    import_form = SheetImportForm
    import_title = ""
    import_help = ""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Many rows at once from an .xlsx sheet; a dry run lists every bad row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = self.import_form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = self.import_sheet(
                    request, form.cleaned_data["file"].read(), dry_run=form.cleaned_data["dry_run"]
                )
            except SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if isinstance(report, HttpResponseBase):
                    return report  # the sheet went elsewhere (a job: apps/jobs/admin_imports.py)
                if report.created:
                    messages.success(request, self.importer.done % {"count": len(report.created)})
                elif report.errors:
                    messages.error(request, _("No row was imported: correct the rows below."))
                else:
                    messages.info(request, _("Every row is correct; untick dry run to import."))
        return self.import_page(request, form, report)

    def import_sheet(self, request, data: bytes, *, dry_run: bool):
        """The sheet's report, imported in the request; a subclass may answer otherwise."""
        return self.importer.run(data=data, by=request.user, dry_run=dry_run)

    def import_context(self, request) -> dict:
        """What the page says of the sheets it takes."""
        return {"max_rows": MAX_ROWS}

    def import_page(self, request, form, report):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.import_title,
            "help": self.import_help,
            "form": form,
            "report": report,
            "headers": [column.header for column in self.importer.columns],
            **self.import_context(request),
        }
        templates = [
            f"admin/{opts.app_label}/{opts.model_name}/import.html",
            f"admin/{opts.app_label}/import.html",
            "admin/import.html",
        ]
        return TemplateResponse(request, templates, context)
