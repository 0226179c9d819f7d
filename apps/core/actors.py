"""Who acts: an account, or the system itself.

Every service takes the acting account as ``by``. Work that no account
does — a management command run by the operator, a data migration, the
demo loader — acts as ``SYSTEM``, named explicitly: ``None`` is never an
actor (``scoped(queryset, None)`` is empty, as for an anonymous caller).
See docs/scoping.md.
"""


class SystemActor:
    """The system itself: it may do everything and belongs to the whole tree."""

    pk = id = None
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def __str__(self):
        return "system"

    def __repr__(self):
        return "SYSTEM"


SYSTEM = SystemActor()


def history_user(by):
    """The account a history row names: nobody for the system."""
    return None if by is SYSTEM or by is None else by
