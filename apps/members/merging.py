"""Duplicates of one person: finding them and merging records into one.

A merge announces itself with the ``person_merged`` signal, inside its
transaction; each app moves its own rows that name the duplicate, in its own
services (docs/merging.md). This module knows no other app's tables.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.members.models import Member
from apps.members.signals import person_merged
from apps.organizations.scoping import scoped

# Fields the survivor takes from the duplicate when its own are empty.
FILLABLE = (
    "id_number",
    "phone",
    "birth_date",
    "political_status",
    "education",
    "occupation",
    "address",
)


def likely_duplicates(*, by) -> list[list[Member]]:
    """Groups of people in the user's subtree that are probably one person.

    Same ID number; or the same name with the same phone or the same birth
    date. Three grouped queries and one fetch, however many people there are.
    """
    people = scoped(Member.objects.alive(), by)
    keys = [
        ("id_number",),
        ("name", "phone"),
        ("name", "birth_date"),
    ]
    conditions = Q(pk__in=[])
    for fields in keys:
        not_blank = Q()
        for name in fields:
            not_blank &= ~Q(**{name: ""}) if name != "birth_date" else Q(birth_date__isnull=False)
        groups = (
            people.filter(not_blank)
            .values(*fields)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list(*fields)
        )
        for values in groups:
            conditions |= Q(**dict(zip(fields, values, strict=True)))
    found = list(
        people.filter(conditions).select_related("organization").order_by("name_pinyin", "pk")
    )
    return _grouped(found)


def _grouped(people: list[Member]) -> list[list[Member]]:
    """Join people sharing any key into one group (a small union-find)."""
    parent = {p.pk: p.pk for p in people}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_with = {}
    for person in people:
        for key in (
            ("id", person.id_number) if person.id_number else None,
            ("phone", person.name, person.phone) if person.phone else None,
            ("born", person.name, person.birth_date) if person.birth_date else None,
        ):
            if key is None:
                continue
            if key in first_with:
                parent[root(person.pk)] = root(first_with[key])
            else:
                first_with[key] = person.pk
    groups: dict[int, list[Member]] = {}
    for person in people:
        groups.setdefault(root(person.pk), []).append(person)
    return [group for group in groups.values() if len(group) > 1]


@transaction.atomic
def member_merge(*, by, survivor: Member, duplicate: Member) -> Member:
    """Merge ``duplicate`` into ``survivor``: what named either now names the survivor.

    Two different ID numbers are two people, and are refused; so is a merge a
    receiver of ``person_merged`` refuses (a row of another village would name
    the survivor). The survivor takes the duplicate's details where its own
    are blank; the duplicate is marked deleted and ``merged_into`` the
    survivor. Every change is in the history, naming ``by``.
    """
    people = scoped(Member.objects.select_for_update(of=("self",)), by)
    people = people.alive().order_by("pk")
    survivor = people.filter(pk=survivor.pk).first()
    duplicate = people.filter(pk=duplicate.pk).first()
    if survivor is None or duplicate is None:
        raise ValidationError(_("One of these people is not on file (or not yours)."))
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Choose two different people to merge."))
    if survivor.id_number and duplicate.id_number and survivor.id_number != duplicate.id_number:
        raise ValidationError(
            _("These two records have different ID numbers: they are two people.")
        )
    answers = person_merged.send(sender=Member, survivor=survivor, duplicate=duplicate, by=by)
    moved = sum(count for _receiver, count in answers if count)
    taken = {name: getattr(duplicate, name) for name in FILLABLE if not getattr(survivor, name)}
    for name, value in taken.items():
        setattr(survivor, name, value)
    survivor.full_clean(validate_unique=False, validate_constraints=False)
    duplicate.deleted_at, duplicate.merged_into = timezone.now(), survivor
    history_note(duplicate, by=by, reason=f"merged into #{survivor.pk}")
    duplicate.save(update_fields=["deleted_at", "merged_into", "updated_at"])
    reason = f"merged #{duplicate.pk} into this record ({moved} moved)"
    history_note(survivor, by=by, reason=reason)
    survivor.save(update_fields=[*taken, "updated_at"])
    return survivor


@transaction.atomic
def member_merge_group(*, by, survivor: Member, duplicates: Iterable[Member]) -> Member:
    """Merge each of ``duplicates`` into ``survivor``, all or nothing: one refused merge (two ID
    numbers, a row outside) leaves every record of the group as it was."""
    for duplicate in duplicates:
        survivor = member_merge(by=by, survivor=survivor, duplicate=duplicate)
    return survivor
