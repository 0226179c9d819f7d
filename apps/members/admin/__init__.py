"""The people app's admin: ``people`` (people, appointments, the duplicates page), ``branch``
(三会一课, their requirements, compliance), ``identity_checks`` (the log of ID numbers checked
by roles that read them masked), with the import and search pieces they share."""

from apps.members.admin import branch, identity_checks, people

__all__ = ["branch", "identity_checks", "people"]
