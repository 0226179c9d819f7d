"""The whole benchmark, in the order of issue 9's list; ``python -m bench`` calls ``run``."""

from django.core.management import call_command

from bench import STEPS, generate, report
from bench.accounts import bench_accounts, described
from bench.admin_pages import admin_changelist, duplicates
from bench.create import api_create
from bench.events import INGEST, ensure_events, ingest_events
from bench.imports import import_people
from bench.lists import api_lists, sync_pages
from bench.reports import report_rollups
from bench.served import served_list
from bench.timing import Figure

NOTES = [
    "People, meetings and attendance added by the generator (bench/generate.py) have no history "
    "rows; the demo's own records and every row a measurement writes do.",
    "1, 2 (API): in process through Django's test client with the production settings "
    "(bench/settings.py: no HTTPS redirect, no throttle): middleware, token authentication, DRF, "
    "filters, pagination, serializer. No HTTP server or network. The floor of 1 is a plain "
    "Django view asked through the same client (bench/urls.py) that runs the one statement "
    "which read the API's page (captured while it answered) and writes its rows as JSON; the "
    "notes give that statement's time as JSON without Django's request cycle.",
    "2: the deep page is reached by a cursor the bench builds for the row before it, checked to "
    "be the one the API hands out in next; following next from it is checked against OFFSET.",
    "3: the writing part runs from the import's first write (the ids it reserves for its COPY) "
    "to its commit: the rows go in while the next are read and checked, so it holds most of the "
    "reading too. The floor writes the same stored values with COPY in one transaction. Each "
    "run is committed, then removed.",
    "4: the floor is a plain Django view asked through the same client and session: it reads "
    "the account, runs the changelist's own queryset (its count, then its page of rows) and "
    "renders the same columns in a minimal template (bench/templates/changelist_floor.html).",
    "5: the floor is one statement reading the recorded pairs (bench/sql/duplicate_pairs.sql).",
    "6: the floor is one INSERT of the same stored row, in autocommit.",
    "23: selectors.report() for the district and the last whole year, as the dashboard and the "
    "summary API call it (event, case and meeting figures from their monthly rollups), against "
    "the same call with rollups=False (every figure from the records); every figure, row, trend "
    "month and breakdown part checked equal first. The ratio is the rollups' time over the "
    "records'.",
    "24: a village station posts the events to events/bulk/ in batches of 500 (bare JSON arrays) "
    "in process through Django's test client: authentication, each item's serializer, the "
    "set-wise checks, the INSERT with history, the answer. The floor is COPY of the same stored "
    "rows in one transaction (the note: with their history rows too). The generated events on "
    "file (bench/events.py) have no history rows.",
    "25: gunicorn (2 sync workers, production settings) serves the district's page and the bare "
    "view of 1 over HTTP; wrk (2 threads, 4 connections) asks each in turns and the medians of "
    "requests per second are compared (bench/served.py). Not run by tests/test_bench.py: the "
    "server's processes cannot see a test's uncommitted rows.",
]


def measure(
    accounts,
    *,
    reps: int,
    import_rows: int,
    import_reps: int,
    ingest: int = INGEST,
    only=None,
    say=print,
) -> list[Figure]:
    """Every measurement (or those ``only`` names, of ``STEPS``), each checked against its
    floor first."""
    figures = []
    steps = [
        ("1. API list pages", lambda: api_lists(accounts, reps=reps)),
        ("2. sync pages", lambda: sync_pages(accounts, reps=reps)),
        ("3. people import", lambda: import_people(accounts, rows=import_rows, reps=import_reps)),
        ("4. admin changelist", lambda: admin_changelist(accounts, reps=reps)),
        ("5. duplicates", lambda: duplicates(accounts, reps=max(3, reps // 4))),
        ("6. API create", lambda: api_create(accounts, reps=reps)),
        ("23. reports from rollups", lambda: report_rollups(accounts, reps=reps)),
        ("24. events ingest", lambda: ingest_events(accounts, count=ingest)),
    ]
    for name, (title, step) in zip(STEPS, steps, strict=True):
        if only and name not in only:
            continue
        say(f"bench: {title} …")
        figures += step()
    return figures


def run(options, *, command: str) -> None:
    call_command("migrate", verbosity=0)
    generate.ensure(people=options.people, attendance=options.attendance)
    ensure_events(events=options.events)
    logins = bench_accounts()
    about = report.machine()
    sizes = generate.sizes()
    figures = measure(
        logins,
        reps=options.reps,
        import_rows=options.import_rows,
        import_reps=options.import_reps,
        ingest=options.ingest_events,
        only=options.only,
    )
    if not options.only or "served" in options.only:
        print("bench: 25. the list served under load …")
        figures += served_list(logins)
    print(report.table(figures))
    load_after = report.machine().load
    report.write_results(
        options.output,
        figures=figures,
        sizes=sizes,
        about=about,
        command=command,
        notes=[*described(logins), *NOTES],
        load_after=load_after,
    )
    print(f"bench: written to {options.output}")
