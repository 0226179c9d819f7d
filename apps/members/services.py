"""Writing people: every create and change goes through here (the API, the admin, imports)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.members.models import Member

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


def _check_id_number_free(member: Member) -> None:
    # The same message inside and outside the caller's subtree: it names no one.
    if (
        member.id_number
        and Member.objects.filter(id_number=member.id_number, deleted_at__isnull=True)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ValidationError({"id_number": [ID_NUMBER_TAKEN]})


def _save(member: Member, **kwargs) -> Member:
    member.full_clean(validate_constraints=False)
    _check_id_number_free(member)
    try:
        with transaction.atomic():
            member.save(**kwargs)
    except IntegrityError as exc:  # a racing save took the ID number after our check
        raise ValidationError({"id_number": [ID_NUMBER_TAKEN]}) from exc
    return member


def member_create(*, organization, **fields) -> Member:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    return _save(Member(organization=organization, **fields))


def member_update(*, member: Member, **fields) -> Member:
    """Change the given fields only; the organization, version and keys are not among them."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value)
    changed = {*fields, "updated_at"}
    if "id_number" in fields:
        changed.add("birth_date")  # may be read from the ID number
    return _save(member, update_fields=changed)


def member_delete(*, member: Member) -> Member:
    """Mark the person deleted: gone from lists, still there for history and for syncing clients."""
    member.deleted_at = timezone.now()
    member.save(update_fields=["deleted_at", "updated_at"])
    return member
