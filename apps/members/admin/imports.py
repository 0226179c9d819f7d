"""The admin's "Import from Excel" pages for people and appointments (apps/members/imports.py,
on apps/core/admin_imports.py); a large sheet runs as a job (apps/jobs/admin_imports.py, the
kinds registered in apps/members/apps.py)."""

from django.utils.translation import gettext_lazy as _

from apps.jobs.admin_imports import BackgroundImportMixin
from apps.members import imports


class PeopleImportMixin(BackgroundImportMixin):
    importer = imports.PEOPLE
    import_job_kind = imports.PEOPLE_JOB
    import_title = _("Import people from Excel")
    import_help = _(
        "性别 may be left empty when the ID number is given; 民族 left empty means Han. "
        "An ID number already on file, or twice in the file, is refused."
    )


class AppointmentsImportMixin(BackgroundImportMixin):
    importer = imports.APPOINTMENTS
    import_job_kind = imports.APPOINTMENTS_JOB
    import_title = _("Import appointments from Excel")
    import_help = _(
        "The person must be on file: give the ID number, or leave it empty and give the name "
        "of one person only. 任期结束 stays empty while the term runs on. An organization has "
        "one chair and one party branch secretary at a time."
    )
