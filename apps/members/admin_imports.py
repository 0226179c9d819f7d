"""The admin's "Import from Excel" pages for people and appointments (apps/members/imports.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.core.forms import SheetImportForm
from apps.core.xlsx import MAX_ROWS, SheetError
from apps.members import imports


class SheetImportMixin:
    """An ``import/`` page beside the changelist, and its button, for roles that may add.

    A ModelAdmin names the service (``imports.people_import`` …), the sheet's columns
    (``imports.PEOPLE_COLUMNS`` …) and the page's words. The button is in the changelist's
    template (``admin/members/<model>/change_list.html``), as for accounts.
    """

    import_service = None  # staticmethod(imports.people_import) …
    import_columns: list = []
    import_title = ""
    import_help = ""
    import_done = ""  # "%(count)d … were imported."

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
        form = SheetImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = self.import_service(
                    data=form.cleaned_data["file"].read(),
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if report.created:
                    messages.success(request, self.import_done % {"count": len(report.created)})
                elif report.errors:
                    messages.error(request, _("No row was imported: correct the rows below."))
                else:
                    messages.info(request, _("Every row is correct; untick dry run to import."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.import_title,
            "help": self.import_help,
            "form": form,
            "report": report,
            "headers": [header for _key, header, _aliases in self.import_columns],
            "max_rows": MAX_ROWS,
        }
        # admin_view() sends Cache-Control: no-store.
        return TemplateResponse(request, "admin/members/import.html", context)


class PeopleImportMixin(SheetImportMixin):
    import_service = staticmethod(imports.people_import)
    import_columns = imports.PEOPLE_COLUMNS
    import_title = _("Import people from Excel")
    import_help = _(
        "性别 may be left empty when the ID number is given; 民族 left empty means Han. "
        "An ID number already on file, or twice in the file, is refused."
    )
    import_done = _("%(count)d people were imported.")


class AppointmentsImportMixin(SheetImportMixin):
    import_service = staticmethod(imports.appointments_import)
    import_columns = imports.APPOINTMENT_COLUMNS
    import_title = _("Import appointments from Excel")
    import_help = _(
        "The person must be on file: give the ID number, or leave it empty and give the name "
        "of one person only. 任期结束 stays empty while the term runs on. An organization has "
        "one chair and one party branch secretary at a time."
    )
    import_done = _("%(count)d appointments were imported.")
