"""The insert trigger of 0015 steps aside for a transaction that records its rows' pairs itself.

An import's ``COPY`` fired the trigger, and the import then recorded the same rows' pairs again
under the lock single saves take (``merging.record_candidates``), so that a save committed
meanwhile is paired too: the pairing of 20,000 rows ran twice, a third of the import's time.
Now a transaction that has said it will record them later (the setting
``members.pairs_recorded_later``, local to it, set by ``merging.pairs_recorded_later``) is
passed over by the trigger; every other insert is paired as before (docs/merging.md).
"""

from importlib import import_module

from django.db import migrations

_0013 = import_module("apps.members.migrations.0013_duplicate_candidates")
_0015 = import_module("apps.members.migrations.0015_pairs_by_index")


def inserted(*, steps_aside: bool) -> str:
    """0015's ``members_pairs_inserted``, with or without the early return."""
    aside = (
        "    IF current_setting('members.pairs_recorded_later', true) = 'on' THEN\n"
        "        RETURN NULL;\n"
        "    END IF;\n"
        if steps_aside
        else ""
    )
    return (
        """
CREATE OR REPLACE FUNCTION members_pairs_inserted() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = on SET enable_nestloop = on SET enable_mergejoin = on AS $$
DECLARE
    written bigint;
    known double precision;
BEGIN
"""
        + aside
        + """    written := (SELECT count(*) FROM new_rows);
    known := (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'members_member'::regclass);
    IF written >= """
        + str(_0015.MANY)
        + " AND written * "
        + str(_0015.TIMES_LARGER)
        + """ > known THEN
        SET LOCAL enable_nestloop = off;
        SET LOCAL enable_mergejoin = off;
"""
        + _0013._PAIRS_OF_NEW.format(rows="new_rows")
        + """
    ELSE
        SET LOCAL enable_seqscan = off;
"""
        + _0015._PROBES.format(rows="new_rows")
        + """
    END IF;
    RETURN NULL;
END $$;
"""
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0016_distinct_pairs")]

    operations = [migrations.RunSQL(inserted(steps_aside=True), inserted(steps_aside=False))]
