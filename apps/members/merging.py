"""Duplicates of one person: finding them and merging records into one.

Finding them reads the pairs kept on write (``DuplicateCandidate``, docs/merging.md): the
database records the pairs of the people each statement inserts or changes, and forgets those of
the people it deletes or merges (triggers, migration members/0013); the import records its rows'
pairs again under its lock (``record_candidates``).

A merge announces itself with the ``person_merged`` signal, inside its
transaction; each app moves its own rows that name the duplicate, in its own
services (docs/merging.md). This module knows no other app's tables.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.actors import SYSTEM
from apps.core.history import history_note
from apps.members.models import DistinctPair, DuplicateCandidate, Member
from apps.members.signals import person_merged
from apps.organizations.roles import Role
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
# The fields a pair is made of: a change to any of them makes the person's pairs again.
KEY_FIELDS = frozenset({"id_number", "name", "phone", "birth_date"})
GROUPS_PER_PAGE = 50
NOT_ONE_PERSON = _(
    "These records are not likely one person (no ID number, or name with phone or birth date, "
    "links them): only a district administrator may merge them, confirming it."
)
ONLY_DISTRICT_ADMINS = _(
    "Only a district administrator may merge records that are not likely one person."
)
TWO_NUMBERS = _("These two records have different ID numbers: they are two people.")
WRONG_CONFIRMATION = _("The confirmation does not name these records: merge again from the page.")

# --- Recording the pairs --------------------------------------------------------------------

# The people of ``ids`` (every person alive when there is no ``ids``) against every person
# alive, one key at a time, each through its index (member_id_number, member_name_phone,
# member_name_birth): one statement, whatever the number of people. The triggers of migration
# members/0013 run the same statement over the rows each write touched.
_PAIRS = """
INSERT INTO members_duplicatecandidate (person_a_id, person_b_id, reason)
SELECT DISTINCT ON (a, b) a, b, reason FROM (
    SELECT LEAST(n.id, m.id) a, GREATEST(n.id, m.id) b, 'id_number' reason, 1 rank
    FROM members_member n JOIN members_member m ON m.id_number = n.id_number
    WHERE {new} AND n.id_number <> '' AND m.id_number <> '' AND {other}
    UNION ALL
    SELECT LEAST(n.id, m.id), GREATEST(n.id, m.id), 'name_phone', 2
    FROM members_member n JOIN members_member m ON m.name = n.name AND m.phone = n.phone
    WHERE {new} AND n.phone <> '' AND m.phone <> '' AND {other}
    UNION ALL
    SELECT LEAST(n.id, m.id), GREATEST(n.id, m.id), 'name_birth', 3
    FROM members_member n JOIN members_member m ON m.name = n.name AND m.birth_date = n.birth_date
    WHERE {new} AND n.birth_date IS NOT NULL AND m.birth_date IS NOT NULL AND {other}
) pairs
ORDER BY a, b, rank
ON CONFLICT (person_a_id, person_b_id) DO NOTHING
"""
_ALIVE = "n.deleted_at IS NULL AND m.deleted_at IS NULL"
_OF_SOME = _PAIRS.format(
    new="n.id IN (SELECT unnest(%(ids)s::bigint[]))", other=f"m.id <> n.id AND {_ALIVE}"
)
_OF_ALL = _PAIRS.format(new="TRUE", other=f"m.id > n.id AND {_ALIVE}")
TIMES_LARGER = 10  # a table ten times the rows checked: probing its indexes is cheaper
_PLANNER = (
    "SELECT set_config('enable_nestloop', %s, true), set_config('enable_mergejoin', %s, true)"
)


def pairs_recorded_later() -> None:
    """Tell the insert trigger to leave the people this transaction inserts to
    ``record_candidates``, which it promises to call for all of them before it commits (the
    import, under the lock single saves take: migration members/0017). Until that call or the
    transaction's end (a rolled-back savepoint undoes it too)."""
    _trigger_pairs(False)


def _trigger_pairs(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('members.pairs_recorded_later', %s, true)", ["" if on else "on"]
        )


def record_candidates(person_ids: Sequence[int] | None) -> int:
    """Record the pairs the people of ``person_ids`` (all people: ``None``) make with anyone
    alive, as the triggers do for each write; returns how many pairs are new. Given the ids, it
    hands the pairing back to the trigger (``pairs_recorded_later``). For the import under its
    lock (a single save committed since its insert) and ``manage.py record_duplicates``. Only
    inserts rows no one else writes: a writer of another person never waits for this
    transaction (docs/merging.md)."""
    if person_ids is not None and not person_ids:
        _trigger_pairs(True)
        return 0
    with connection.cursor() as cursor:
        # An import's rows were written in this very transaction, so the planner's statistics
        # still describe the table before them (on a new install, an empty one), and it would
        # pair every new row with every other by nested loops: 60 s for 20,000 rows. When the
        # rows are many against the table as its statistics tell, hash joins only (one pass over
        # each side), set back after the statement (an error ends the transaction, and them
        # with it); else the planner probes the key indexes for each row (migration
        # members/0015 decides the same way).
        cursor.execute(
            "SELECT current_setting('enable_nestloop'), current_setting('enable_mergejoin'),"
            " greatest(reltuples, 0) FROM pg_class WHERE oid = 'members_member'::regclass"
        )
        nestloop, mergejoin, known = cursor.fetchone()
        many = person_ids is None or len(person_ids) * TIMES_LARGER > known
        if many:
            cursor.execute(_PLANNER, ["off", "off"])
        if person_ids is None:
            cursor.execute(_OF_ALL)
        else:
            cursor.execute(_OF_SOME, {"ids": list(person_ids)})
        added = cursor.rowcount
        if many:
            cursor.execute(_PLANNER, [nestloop, mergejoin])
    if person_ids is not None:
        _trigger_pairs(True)  # the promise of pairs_recorded_later is kept: the trigger's again
    return added


# --- Reading them ---------------------------------------------------------------------------

# A pair is shown only while both records are alive and still share its key: a pair left by a
# change committed at the same moment as the pair's insertion (each blind to the other) is
# checked away here rather than locked away on write.
_STILL_SHARED = (~Q(person_a__id_number="") & Q(person_a__id_number=F("person_b__id_number"))) | (
    Q(person_a__name=F("person_b__name"))
    & (
        (~Q(person_a__phone="") & Q(person_a__phone=F("person_b__phone")))
        | Q(person_a__birth_date=F("person_b__birth_date"))
    )
)


def _scoped_pairs(by) -> list[tuple[int, int, str]]:
    """The pairs whose two people are alive in ``by``'s subtree and not found to be two people:
    (a, b, a's sort key)."""
    found_two = DistinctPair.objects.filter(
        person_a=OuterRef("person_a"), person_b=OuterRef("person_b")
    )
    pairs = scoped(DuplicateCandidate.objects.all(), by).filter(
        _STILL_SHARED,
        ~Exists(found_two),
        person_a__deleted_at=None,
        person_b__deleted_at=None,
        person_b__in=scoped(Member.objects.all(), by).values("pk"),
    )
    return list(pairs.values_list("person_a", "person_b", "person_a__name_pinyin"))


def _groups(by) -> list[list[int]]:
    """The ids of each group of the subtree (joined by any pair), sorted by their first name."""
    pairs = _scoped_pairs(by)
    parent: dict[int, int] = {}
    for a, b, _name in pairs:
        _union(parent, a, b)
    members: dict[int, list[int]] = {}
    for pk in parent:
        members.setdefault(_root(parent, pk), []).append(pk)
    first: dict[int, tuple] = {}
    for a, _b, name in pairs:
        root = _root(parent, a)
        first[root] = min(first.get(root, (name, a)), (name, a))
    return [members[root] for root in sorted(members, key=first.__getitem__)]


def _people(by, groups: list[list[int]]) -> list[list[Member]]:
    """The people of ``groups`` (one query), each group sorted by name."""
    wanted = [pk for group in groups for pk in group]
    people = scoped(Member.objects.alive(), by).filter(pk__in=wanted).select_related("organization")
    found = {person.pk: person for person in people}
    return [
        sorted((found[pk] for pk in group if pk in found), key=lambda p: (p.name_pinyin, p.pk))
        for group in groups
    ]


def duplicate_groups_page(*, by, number=1) -> Page:
    """One page of ``likely_duplicates``: two queries whatever the number of people (the pairs
    of the subtree, the people of the page's groups)."""
    page = Paginator(_groups(by), GROUPS_PER_PAGE).get_page(number)
    page.object_list = _people(by, list(page.object_list))
    return page


def likely_duplicates(*, by) -> list[list[Member]]:
    """Groups of people in the user's subtree that are probably one person: the same ID
    number; or the same name with the same phone or the same birth date. Read from the pairs
    kept on write: two queries, as long as the duplicates are, whatever the number of people."""
    return _people(by, _groups(by))


MAX_GROUP = 20  # people one "not the same person" may name: a group of the page is far smaller


@transaction.atomic
def mark_distinct(*, by, people: Sequence[Member]) -> None:
    """Record that ``people`` (a group of the duplicates page, each in ``by``'s subtree) are
    all different people: none of their pairs is shown again, whatever keys they share or come
    to share. The records themselves are not changed (no new version for their editors): the
    pairs say who decided and when; marking a pair twice keeps the first decision."""
    people = sorted(set(people), key=lambda person: person.pk)
    if not 2 <= len(people) <= MAX_GROUP:
        raise ValidationError(
            gettext("Choose between 2 and %(max)s records.") % {"max": MAX_GROUP},
            code="group_size",
        )
    pairs = [
        DistinctPair(person_a=a, person_b=b, decided_by=by if by is not SYSTEM else None)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    ]
    DistinctPair.objects.bulk_create(pairs, ignore_conflicts=True)


def _root(parent: dict[int, int], pk: int) -> int:
    while parent[pk] != pk:
        parent[pk] = parent[parent[pk]]
        pk = parent[pk]
    return pk


def _union(parent: dict[int, int], a: int, b: int) -> None:
    parent.setdefault(a, a)
    parent.setdefault(b, b)
    parent[_root(parent, a)] = _root(parent, b)


def keys_of(person: Member) -> list[tuple]:
    """The keys a person shares with her duplicates (what the pairs are made of)."""
    keys = []
    if person.id_number:
        keys.append(("id", person.id_number))
    if person.phone:
        keys.append(("phone", person.name, person.phone))
    if person.birth_date:
        keys.append(("born", person.name, person.birth_date))
    return keys


def one_person_likely(people: Sequence[Member]) -> bool:
    """Whether ``people`` are linked, each to another, by a shared key: the group the
    duplicates page would propose (or part of it)."""
    parent = {person.pk: person.pk for person in people}
    first_with: dict[tuple, int] = {}
    for person in people:
        for key in keys_of(person):
            if key in first_with:
                _union(parent, person.pk, first_with[key])
            else:
                first_with[key] = person.pk
    return len({_root(parent, pk) for pk in parent}) == 1


def confirmation_text(survivor: Member, duplicates: Iterable[Member]) -> str:
    """What a district administrator confirms to merge records the page does not propose:
    each record by its name and its village."""
    named = " / ".join(
        gettext("%(name)s of %(organization)s") % {"name": p.name, "organization": p.organization}
        for p in [survivor, *duplicates]
    )
    return gettext("I confirm these records are one person: %(people)s") % {"people": named}


def may_confirm(by) -> bool:
    """Whether ``by`` may merge records the duplicates page does not propose (confirming)."""
    return by is SYSTEM or getattr(by, "role", None) == Role.DISTRICT_ADMIN


def _check_one_person(by, survivor: Member, duplicates: list[Member], confirmation: str) -> str:
    """Refuse a merge of records the duplicates page would not propose, unless a district
    administrator confirms it naming every record's village; return the history's note."""
    if one_person_likely([survivor, *duplicates]):
        return ""
    if not confirmation:
        raise ValidationError(NOT_ONE_PERSON, code="not_one_person")
    if not may_confirm(by):
        raise ValidationError(ONLY_DISTRICT_ADMINS, code="confirmation_refused")
    if confirmation != confirmation_text(survivor, duplicates):
        raise ValidationError(WRONG_CONFIRMATION, code="confirmation_wrong")
    return f"; {confirmation}"


# --- Merging --------------------------------------------------------------------------------


@transaction.atomic
def member_merge(*, by, survivor: Member, duplicate: Member, confirmation: str = "") -> Member:
    """Merge ``duplicate`` into ``survivor``: what named either now names the survivor.

    Only records likely one person (``one_person_likely``), or others that a district
    administrator confirms are one (``confirmation``: ``confirmation_text`` of the two, as shown
    to her), recorded in both histories. Two different ID numbers are two people, and are
    refused; so is a merge a receiver of ``person_merged`` refuses (a row of another village
    would name the survivor). The survivor takes the duplicate's details where its own are
    blank; the duplicate is marked deleted and ``merged_into`` the survivor, its pairs gone.
    Every change is in the history, naming ``by``.
    """
    return member_merge_group(
        by=by, survivor=survivor, duplicates=[duplicate], confirmation=confirmation
    )


@transaction.atomic
def member_merge_group(
    *, by, survivor: Member, duplicates: Iterable[Member], confirmation: str = ""
) -> Member:
    """Merge each of ``duplicates`` into ``survivor``, all or nothing: one refused merge (two ID
    numbers, a row outside, not one person) leaves every record of the group as it was."""
    survivor, duplicates = _locked(by, survivor, list(duplicates))
    numbers = {person.id_number for person in [survivor, *duplicates]} - {""}
    if len(numbers) > 1:  # before the question of one person: no one may confirm two numbers
        raise ValidationError(TWO_NUMBERS)
    note = _check_one_person(by, survivor, duplicates, confirmation)
    for duplicate in duplicates:
        survivor = _merge(by, survivor, duplicate, note)
    return survivor


def _locked(by, survivor: Member, duplicates: list[Member]) -> tuple[Member, list[Member]]:
    """The records as they are now, locked, each in ``by``'s subtree and alive."""
    wanted = [survivor.pk, *(duplicate.pk for duplicate in duplicates)]
    people = scoped(Member.objects.select_for_update(of=("self",)), by)
    found = {
        p.pk: p
        for p in people.alive().filter(pk__in=wanted).select_related("organization").order_by("pk")
    }
    if any(pk not in found for pk in wanted):
        raise ValidationError(_("One of these people is not on file (or not yours)."))
    if not duplicates or len(set(wanted)) != len(wanted):
        raise ValidationError(_("Choose two different people to merge."))
    return found[survivor.pk], [found[d.pk] for d in duplicates]


def _merge(by, survivor: Member, duplicate: Member, note: str) -> Member:
    if survivor.id_number and duplicate.id_number and survivor.id_number != duplicate.id_number:
        raise ValidationError(TWO_NUMBERS)
    answers = person_merged.send(sender=Member, survivor=survivor, duplicate=duplicate, by=by)
    moved = sum(count for _receiver, count in answers if count)
    taken = {name: getattr(duplicate, name) for name in FILLABLE if not getattr(survivor, name)}
    for name, value in taken.items():
        setattr(survivor, name, value)
    survivor.full_clean(validate_unique=False, validate_constraints=False)
    duplicate.deleted_at, duplicate.merged_into = timezone.now(), survivor
    history_note(duplicate, by=by, reason=f"merged into #{survivor.pk}{note}")
    duplicate.save(update_fields=["deleted_at", "merged_into", "updated_at"])
    reason = f"merged #{duplicate.pk} into this record ({moved} moved)"
    if note:  # the confirmation is what matters: the reason holds 100 characters
        reason = f"merged #{duplicate.pk} ({moved} moved){note}"
    history_note(survivor, by=by, reason=reason)
    survivor.save(update_fields=[*taken, "updated_at"])
    return survivor
