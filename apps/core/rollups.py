"""Monthly rollups kept by the database: the SQL of the statement triggers that keep a rollup
table the sum of a record table's live rows by organization, month (Beijing time) and codes
(docs/reports.md, Rollups; docs/events.md, Rollups, on why triggers).

Each trigger adds up its statement's transition table: a new live row counts +1 (and its
columns +), an old live row -1 (and -); a soft delete is an update from live to dead. Groups
that did not change are left out; the rest are upserted in key order, so two statements that
touch the same months lock their rows in the same order and cannot deadlock. A COPY of 500 rows
is one upsert.

Migrations call ``monthly_rollup``: its SQL for a given set of arguments must not change once a
migration has used it (add an argument or a function instead).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class MonthlyRollup:
    create: str  # the trigger functions and the three triggers
    drop: str  # their undoing
    fill: str  # the rows already in the record table, added up once


def monthly_rollup(
    *,
    records: str,
    rollup: str,
    day: str,
    keys: tuple[str, ...],
    counted: str,
    sums: tuple[str, ...] = (),
    live: str = "deleted_at IS NULL",
    day_is_a_date: bool = False,
) -> MonthlyRollup:
    """The SQL keeping table ``rollup`` (columns: ``keys[0]``, ``month``, ``keys[1:]``,
    ``counted``, ``sums``; unique on the keys and the month) the sum of ``records``' rows that
    are ``live``, by the keys and the Beijing month of ``day`` (a date and time; the month of
    a date column as it stands when ``day_is_a_date``)."""
    key = ", ".join((keys[0], "month", *keys[1:]))
    values = (counted, *sums)
    at = "{day}::timestamp" if day_is_a_date else "{day} AT TIME ZONE 'Asia/Shanghai'"
    rows = """
        SELECT {keys}, date_trunc('month', AT)::date AS month,
               {sign} AS {counted}{sums}
        FROM {table} WHERE {live}""".replace("AT)", at + ")")

    def signed(sign: int, table: str) -> str:
        summed = "".join(f", {sign} * {column} AS {column}" for column in sums)
        return rows.format(
            keys=", ".join(keys),
            day=day,
            sign=sign,
            counted=counted,
            sums=summed,
            table=table,
            live=live,
        )

    def upsert(source: str) -> str:
        added = ", ".join(f"sum({column})" for column in values)
        changed = " OR ".join(f"sum({column}) <> 0" for column in values)
        update = ", ".join(f"{column} = r.{column} + EXCLUDED.{column}" for column in values)
        # Table and column names from the migrations, never from input.
        return f"""
    INSERT INTO {rollup} AS r ({key}, {", ".join(values)})
    SELECT {key}, {added}
    FROM ({source}) AS change
    GROUP BY {key}
    HAVING {changed}
    ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET {update};"""  # noqa: S608

    added, removed = signed(1, "new_rows"), signed(-1, "old_rows")
    name = rollup
    create = f"""
CREATE FUNCTION {name}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{upsert(added)}
    RETURN NULL;
END $$;
CREATE TRIGGER {name}_on_insert AFTER INSERT ON {records}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_inserted();

CREATE FUNCTION {name}_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{upsert(added + " UNION ALL " + removed)}
    RETURN NULL;
END $$;
CREATE TRIGGER {name}_on_update AFTER UPDATE ON {records}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_updated();

CREATE FUNCTION {name}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{upsert(removed)}
    RETURN NULL;
END $$;
CREATE TRIGGER {name}_on_delete AFTER DELETE ON {records}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_deleted();
"""
    drop = "\n".join(
        f"DROP TRIGGER {name}_on_{event} ON {records}; DROP FUNCTION {name}_{done}();"
        for event, done in (("insert", "inserted"), ("update", "updated"), ("delete", "deleted"))
    )
    return MonthlyRollup(create=create, drop=drop, fill=upsert(signed(1, records)))
