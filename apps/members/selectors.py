"""Reading people, always through the scoping rule."""

from apps.members.models import Member
from apps.organizations.scoping import scoped


def member_list(*, user):
    """The people of the caller's subtree, deleted ones included (the filters leave them out)."""
    return scoped(Member.objects.select_related("organization"), user)
