"""Every write to the tree, its positions and titles goes through here."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.organizations.models import STREET_DEPTH, Organization
from apps.organizations.signals import organization_moved


def _street_id_for(path: str, steplen: int = Organization.steplen) -> int | None:
    if len(path) < STREET_DEPTH * steplen:
        return None
    street = Organization.objects.filter(path=path[: STREET_DEPTH * steplen])
    return street.values_list("pk", flat=True).get()


def _code_taken() -> ValidationError:
    return ValidationError({"code": _("An organization with this code already exists.")})


@transaction.atomic
def organization_create(
    *,
    parent: Organization | None,
    kind: str,
    code: str,
    name: str,
    opened_on: date,
    sector: str = "",
    closed_on: date | None = None,
    address: str = "",
) -> Organization:
    """Add an organization under ``parent`` (a district is a root, with no parent)."""
    if parent is not None:
        # Judge the parent as stored (not a caller's stale copy), and hold it still.
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
    organization = Organization(
        parent=parent,
        kind=kind,
        code=code,
        name=name,
        opened_on=opened_on,
        sector=sector,
        closed_on=closed_on,
        address=address,
    )
    organization.full_clean(exclude=["path", "depth", "numchild"])
    try:
        with transaction.atomic():
            if parent is None:
                organization = Organization.objects.add_root(instance=organization)
            else:
                organization = Organization.objects.add_child(parent, instance=organization)
    except IntegrityError as exc:
        raise _code_taken() from exc
    street_id = _street_id_for(organization.path)
    if street_id is not None:
        Organization.objects.filter(pk=organization.pk).update(street_id=street_id)
        organization.street_id = street_id
    return organization


ORGANIZATION_EDITABLE_FIELDS = ("name", "code", "sector", "opened_on", "closed_on", "address")


@transaction.atomic
def organization_update(*, organization: Organization, **fields) -> Organization:
    """Change an organization's own fields; moving it is ``organization_move``.

    Only the named fields are written, onto the row as stored: a caller's
    stale copy cannot put back an old place in the tree.
    """
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"organization_update() cannot change {sorted(unknown)}")
    current = Organization.objects.select_for_update().get(pk=organization.pk)
    for field, value in fields.items():
        setattr(current, field, value)
    current.full_clean()
    try:
        with transaction.atomic():
            current.save(update_fields=[*fields, "name_pinyin", "updated_at"])
    except IntegrityError as exc:
        raise _code_taken() from exc
    return current


@transaction.atomic
def organization_move(*, organization: Organization, parent: Organization) -> Organization:
    """Move an organization, with everything below it and all its records, under ``parent``."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    if parent.pk == organization.parent_id:
        return organization
    if parent.path.startswith(organization.path):
        raise ValidationError(
            {"parent": _("An organization cannot be moved under itself or its own subtree.")}
        )
    organization.parent = parent
    organization.full_clean(exclude=["path", "depth", "numchild"])
    old_street_id = organization.street_id
    Organization.objects.move(organization, parent, pos="last-child")
    organization.refresh_from_db()
    new_street_id = _street_id_for(organization.path)
    Organization.objects.filter(pk=organization.pk).update(parent=parent)
    Organization.objects.filter(path__startswith=organization.path).update(street_id=new_street_id)
    organization.refresh_from_db()
    organization_moved.send(
        sender=Organization,
        organization=organization,
        old_street_id=old_street_id,
        new_street_id=new_street_id,
    )
    return organization
