"""Reading people, always through the scoping rule."""

from apps.members.models import Appointment, Member
from apps.organizations.scoping import scoped


def member_list(*, user):
    """The people of the caller's subtree, deleted ones included (the filters leave them out)."""
    return scoped(Member.objects.select_related("organization"), user)


def appointment_list(*, user):
    """The appointments held in the caller's subtree, with their person and organization."""
    return scoped(Appointment.objects.select_related("member", "organization"), user)
