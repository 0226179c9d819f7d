"""The people app's admin: ``people`` (people, appointments, the duplicates page), ``branch``
(三会一课, their requirements, compliance), with the import and search pieces they share."""

from apps.members.admin import branch, people

__all__ = ["branch", "people"]
