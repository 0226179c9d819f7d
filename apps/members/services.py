"""Writing people: every create and change goes through here (the API, the admin, imports)."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.members.models import Member
from apps.organizations.scoping import scoped

EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "political_status",
    "education",
    "occupation",
    "address",
)
ID_NUMBER_TAKEN = _("A person with this ID number is already on file.")


def check_id_number_free(member: Member, user) -> None:
    """An ID number may be on file once among the people ``user`` can see.

    Only there: refusing a number held in another village would tell the
    caller that village has that person. Such duplicates are for district
    staff to find and merge.
    """
    if not member.id_number:
        return
    with connection.cursor() as cursor:  # until commit: two saves of one number take turns
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [member.id_number])
    others = Member.objects.filter(id_number=member.id_number, deleted_at__isnull=True)
    if user is not None:
        others = scoped(others, user)
    if others.exclude(pk=member.pk).exists():
        raise ValidationError({"id_number": [ID_NUMBER_TAKEN]})


def _save(member: Member, user, **kwargs) -> Member:
    member.full_clean()
    with transaction.atomic():
        check_id_number_free(member, user)
        member.save(**kwargs)
    return member


def member_create(*, organization, user=None, **fields) -> Member:
    """Add a person; ``user`` is who adds them (None: a command, which sees the whole tree)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    return _save(Member(organization=organization, **fields), user)


def member_update(*, member: Member, user=None, **fields) -> Member:
    """Change the given fields only; the organization, version and keys are not among them."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value)
    changed = {*fields, "updated_at"}
    if "id_number" in fields:
        changed.add("birth_date")  # may be read from the ID number
    return _save(member, user, update_fields=changed)


def member_delete(*, member: Member) -> Member:
    """Mark the person deleted: gone from lists, still there for history and for syncing clients."""
    member.deleted_at = timezone.now()
    member.save(update_fields=["deleted_at", "updated_at"])
    return member
