"""The admin's import pages, with large sheets handed to a job (docs/jobs.md).

A sheet of up to ``JOBS_IMPORT_THRESHOLD`` rows is imported in the request, as before
(apps/core/admin_imports.py); a larger one, up to ``LIMIT_ROWS``, is stored and queued, and
the page sends the person to the job's page, where a bar shows its progress and then the
same report. The request only checks the archive (a byte scan, docs/api.md Limits) and
stores the file: it returns at once whatever the sheet's size.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.core.admin_imports import SheetImportAdminMixin
from apps.core.forms import SheetImportForm
from apps.core.xlsx import LIMIT_ROWS, MAX_FILE_BYTES, TooManyRows, check_archive
from apps.jobs import services


class LargeSheetImportForm(SheetImportForm):
    MAX_BYTES = MAX_FILE_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("A workbook may be at most %(limit)d MB.") % {"limit": MAX_FILE_BYTES // 2**20}
            )
        return upload


def sheet_is_large(data: bytes) -> bool:
    """Whether the sheet has more rows than a request imports; SheetError if it cannot be
    imported at all (over ``LIMIT_ROWS``, not a sheet, a DTD …)."""
    try:
        check_archive(data, max_rows=settings.JOBS_IMPORT_THRESHOLD)
    except TooManyRows:
        check_archive(data, max_rows=LIMIT_ROWS)
        return True
    return False


class BackgroundImportMixin(SheetImportAdminMixin):
    """``SheetImportAdminMixin`` whose large sheets run as jobs of ``import_job_kind`` (a name
    registered with ``apps.jobs.kinds.register_import``)."""

    import_form = LargeSheetImportForm
    import_job_kind = ""

    def import_sheet(self, request, data: bytes, *, dry_run: bool):
        if not sheet_is_large(data):
            return super().import_sheet(request, data, dry_run=dry_run)
        job, new = services.import_job_start(
            by=request.user, kind=self.import_job_kind, data=data, dry_run=dry_run
        )
        if new:
            messages.info(request, _("The sheet is large: it is being imported in the background."))
        else:
            messages.warning(request, _("This file is already being imported: here is its job."))
        return redirect("admin:jobs_job_change", job.pk)

    def import_context(self, request) -> dict:
        return {
            **super().import_context(request),
            "max_rows": LIMIT_ROWS,
            "background_from": settings.JOBS_IMPORT_THRESHOLD,
        }
