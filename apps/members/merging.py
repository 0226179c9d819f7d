"""Duplicates of one person: finding them and merging two records into one.

A merge moves everything that points at the duplicate to the survivor. The
relations are found by walking the model's related objects, so the records
of apps added later (cases, councils …) move too without a change here.
"""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.members.models import Member
from apps.organizations.scoping import has_scope, scope_field, scoped

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


def likely_duplicates(*, user) -> list[list[Member]]:
    """Groups of people in the user's subtree that are probably one person.

    Same ID number; or the same name with the same phone or the same birth
    date. Three grouped queries and one fetch, however many people there are.
    """
    people = scoped(Member.objects.filter(deleted_at__isnull=True), user)
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


def references_to_member():
    """Every (model, foreign key name) that points at a person, history tables excepted.

    Hidden relations (``related_name="+"``, such as a meeting's chair) count too.
    """
    for relation in Member._meta.get_fields(include_hidden=True):
        if relation.concrete or not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        if model is Member or model.__name__.startswith("Historical"):
            continue
        yield model, relation.field.name


def member_merge(*, survivor: Member, duplicate: Member, user) -> Member:
    """Merge ``duplicate`` into ``survivor``: what pointed at either now points at the survivor.

    The duplicate is marked deleted and ``merged_into`` the survivor; both
    changes are in the history, with who made them. Two different ID numbers
    are two people, and are refused. A row that would then exist twice (the
    same person at the same meeting twice) is dropped.
    """
    with transaction.atomic():
        people = scoped(Member.objects.select_for_update(of=("self",)), user)
        people = people.filter(deleted_at__isnull=True).order_by("pk")
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
        _refuse_rows_outside(survivor, duplicate)
        moved = 0
        for model, field in references_to_member():
            for row in model._base_manager.filter(**{field: duplicate}):
                moved += _move(row, field, survivor)
        moved += _move_generic_links(duplicate, survivor)
        Member._base_manager.filter(merged_into=duplicate).update(merged_into=survivor)
        taken = {name: getattr(duplicate, name) for name in FILLABLE if not getattr(survivor, name)}
        for name, value in taken.items():
            setattr(survivor, name, value)
        survivor.full_clean(validate_unique=False, validate_constraints=False)
        now = timezone.now()
        duplicate.deleted_at, duplicate.merged_into = now, survivor
        duplicate._change_reason = f"merged into #{survivor.pk}"
        duplicate.save(update_fields=["deleted_at", "merged_into", "updated_at"])
        survivor._change_reason = f"merged #{duplicate.pk} into this record ({moved} moved)"
        survivor.save(update_fields=[*taken, "updated_at"])
    return survivor


def _refuse_rows_outside(survivor: Member, duplicate: Member) -> None:
    """A row of another village must not end up naming the survivor (it would show a person
    outside that village's subtree to its station). Keep the record higher in the tree."""
    for model, field in references_to_member():
        if not has_scope(model):
            continue
        where = scope_field(model)
        lookup = f"{where}__path__startswith" if where else "path__startswith"
        outside = model._base_manager.filter(**{field: duplicate}).exclude(
            **{lookup: survivor.organization.path}
        )
        if outside.exists():
            raise ValidationError(
                _(
                    "Records of an organization outside %(name)s's point at the other person: "
                    "keep the record of the organization above both."
                )
                % {"name": survivor.organization.name}
            )


def _move_generic_links(duplicate: Member, survivor: Member) -> int:
    """Rows linked by a generic foreign key (a person's attachments) follow the survivor."""
    member_type = ContentType.objects.get_for_model(Member)
    moved = 0
    for model in apps.get_models():
        for link in model._meta.private_fields:
            if not isinstance(link, GenericForeignKey):
                continue
            rows = model._base_manager.filter(
                **{link.ct_field: member_type, link.fk_field: duplicate.pk}
            )
            changes = {link.fk_field: survivor.pk}
            if any(f.name == "organization" for f in model._meta.fields):
                changes["organization"] = survivor.organization
            moved += rows.update(**changes)
    return moved


def _move(row: models.Model, field: str, survivor: Member) -> int:
    """Point ``row`` at the survivor; drop it if the survivor already has such a row."""
    setattr(row, field, survivor)
    changed = [field, *(["updated_at"] if hasattr(row, "updated_at") else [])]
    try:
        with transaction.atomic():
            row.save(update_fields=changed)
    except IntegrityError:
        type(row)._base_manager.filter(pk=row.pk).delete()
        return 0
    return 1
