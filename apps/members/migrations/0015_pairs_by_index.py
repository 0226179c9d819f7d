"""The pair triggers of 0013, rewritten so their plan cannot depend on planner statistics.

0013 joined the rows a statement wrote against the whole table and let the planner choose the
order. Right after a first load (the demo, a new install's first import) the table has no
statistics; the planner read it as one row, scanned it whole for every new row, and a COPY of
20,000 people sat for minutes. Now a statement of many rows is hash-joined against one pass over
the table (when the table is not ten times larger than them), and otherwise each row probes
the three key indexes: neither depends on the planner's estimates (docs/merging.md, Likely
duplicates).

Updates change a person's keys rarely and one person at a time, so the update trigger is now a
row trigger that fires only when a key changed, instead of a statement trigger joining the old
and new rows of every update.
"""

from importlib import import_module

from django.db import migrations

_0013 = import_module("apps.members.migrations.0013_duplicate_candidates")

# The pairs of a few rows ({rows}): each row probes member_id_number, member_name_phone and
# member_name_birth (a LATERAL subquery kept apart with OFFSET 0: the written rows stay the outer
# side whatever the estimates; deleted_at is filtered outside it, so the small partial index
# member_org_alive cannot pass for a probe).
_PROBES = """
    INSERT INTO members_duplicatecandidate (person_a_id, person_b_id, reason)
    SELECT DISTINCT ON (a, b) a, b, reason FROM (
        SELECT LEAST(n.id, m.id) a, GREATEST(n.id, m.id) b, 'id_number' reason, 1 rank
        FROM {rows} n CROSS JOIN LATERAL (
            SELECT m.id, m.deleted_at FROM members_member m
            WHERE m.id_number = n.id_number AND m.id_number <> '' AND m.id <> n.id
            OFFSET 0
        ) m
        WHERE n.id_number <> '' AND n.deleted_at IS NULL AND m.deleted_at IS NULL
        UNION ALL
        SELECT LEAST(n.id, m.id), GREATEST(n.id, m.id), 'name_phone', 2
        FROM {rows} n CROSS JOIN LATERAL (
            SELECT m.id, m.deleted_at FROM members_member m
            WHERE m.name = n.name AND m.phone = n.phone AND m.phone <> '' AND m.id <> n.id
            OFFSET 0
        ) m
        WHERE n.phone <> '' AND n.deleted_at IS NULL AND m.deleted_at IS NULL
        UNION ALL
        SELECT LEAST(n.id, m.id), GREATEST(n.id, m.id), 'name_birth', 3
        FROM {rows} n CROSS JOIN LATERAL (
            SELECT m.id, m.deleted_at FROM members_member m
            WHERE m.name = n.name AND m.birth_date = n.birth_date AND m.birth_date IS NOT NULL
              AND m.id <> n.id
            OFFSET 0
        ) m
        WHERE n.birth_date IS NOT NULL AND n.deleted_at IS NULL AND m.deleted_at IS NULL
    ) pairs
    ORDER BY a, b, rank
    ON CONFLICT (person_a_id, person_b_id) DO NOTHING;
"""
# One pass over the table beats probing its indexes for each written row when the statement
# wrote many rows and the table, as its statistics tell, is not ten times larger than them: a
# first load or a new install's first import (when the statistics are those of a smaller table,
# the pass is over a table about that small too, as the statistics were taken before it grew).
MANY = 1000
TIMES_LARGER = 10

# The function's own SET clauses make the SET LOCALs inside it end with it (PostgreSQL restores
# a parameter a function sets when it returns): a statement of many rows (against a table not
# much larger) is hash-joined against one pass over the table, any other probes the indexes, and
# nothing else the transaction runs is planned with these settings.
FORWARD = (
    """
DROP TRIGGER members_pairs_on_update ON members_member;
DROP FUNCTION members_pairs_updated();

CREATE OR REPLACE FUNCTION members_pairs_inserted() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = on SET enable_nestloop = on SET enable_mergejoin = on AS $$
DECLARE
    written bigint := (SELECT count(*) FROM new_rows);
    known double precision := (
        SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'members_member'::regclass
    );
BEGIN
    IF written >= """
    + str(MANY)
    + " AND written * "
    + str(TIMES_LARGER)
    + """ > known THEN
        SET LOCAL enable_nestloop = off;
        SET LOCAL enable_mergejoin = off;
"""
    + _0013._PAIRS_OF_NEW.format(rows="new_rows")
    + """
    ELSE
        SET LOCAL enable_seqscan = off;
"""
    + _PROBES.format(rows="new_rows")
    + """
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION members_pairs_changed() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
    DELETE FROM members_duplicatecandidate WHERE person_a_id = NEW.id OR person_b_id = NEW.id;
"""
    + _PROBES.format(rows="(SELECT NEW.*)")
    + """
    RETURN NULL;
END $$;
CREATE TRIGGER members_pairs_on_change AFTER UPDATE ON members_member FOR EACH ROW
    WHEN ((NEW.name, NEW.phone, NEW.birth_date, NEW.id_number, NEW.deleted_at IS NULL)
          IS DISTINCT FROM
          (OLD.name, OLD.phone, OLD.birth_date, OLD.id_number, OLD.deleted_at IS NULL))
    EXECUTE FUNCTION members_pairs_changed();
"""
)
# Back to 0013's triggers as they were.
BACKWARD = (
    """
DROP TRIGGER members_pairs_on_change ON members_member;
DROP FUNCTION members_pairs_changed();
DROP TRIGGER members_pairs_on_insert ON members_member;
DROP FUNCTION members_pairs_inserted();
"""
    + _0013.TRIGGERS
)


class Migration(migrations.Migration):
    dependencies = [("members", "0014_identity_checks")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
