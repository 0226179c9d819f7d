"""The people app's admin: ``people`` (people, appointments, the duplicates page), ``branch``
(三会一课, their requirements, compliance), ``identity_checks`` (the log of ID numbers checked
by roles that read them masked), ``workbench`` (the admin's first page, and the people's
figures on an organization's page), with the import and search pieces they share."""

from apps.members.admin import branch, identity_checks, people, workbench

__all__ = ["branch", "identity_checks", "people", "workbench"]
