"""The fault drill's reckoning (faults/drill.py; the drill itself is `make faults`, which
restarts PostgreSQL and so never runs in the test suite): what counts as met, and its section
of bench/RESULTS.md, which the benchmark keeps when it rewrites the file."""

from collections import Counter

from bench.report import FAULTS_HEADING, replace_section
from faults.drill import Figures, items_for


def figures(**changes) -> Figures:
    row = {"kind": "events", "sent": 10, "acknowledged": 10, "stored": 10}
    found = Figures(
        rows=[{**row, "duplicated": 0, "lost": 0, **changes.pop("row", {})}],
        imports=[{"state": "failed", "stored": 0, "rows": 5, "whole": True, "error": ""}],
        answers=Counter({"503": 4, "ConnectError": 2}),
    )
    for name, value in changes.items():
        setattr(found, name, value)
    return found


def test_met_only_when_every_submission_is_stored_once_and_no_500_was_seen():
    assert figures().met
    assert not figures(row={"stored": 9, "lost": 1}).met
    assert not figures(row={"stored": 11, "duplicated": 1}).met
    assert not figures(row={"acknowledged": 9}).met
    assert not figures(answers=Counter({"500": 1})).met
    assert not figures(case_numbers_unique=False).met
    half = [{"state": "failed", "stored": 2, "rows": 5, "whole": False, "error": ""}]
    assert not figures(imports=half).met


def test_the_section_is_replaced_in_place_and_added_when_missing(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Figures\n\n| a |\n")

    replace_section(path, FAULTS_HEADING, ["first"])
    replace_section(path, FAULTS_HEADING, ["second"])

    text = path.read_text()
    assert text.count(FAULTS_HEADING) == 1
    assert "second" in text and "first" not in text
    assert text.startswith("# Benchmark results\n\n## Figures\n\n| a |\n")


def test_a_stations_work_holds_every_case_among_its_events(tree):
    from tests.registry import station_of

    station = station_of(tree.village_a1)
    sender = type("Sender", (), {"village": tree.village_a1, "station": station})

    work = items_for(sender, events=20, cases=4)

    kinds = [kind for kind, _path, _body in work]
    assert kinds.count("events") == 20 and kinds.count("cases") == 4
    assert kinds[0] == "events" and kinds[-1] == "events"  # cases spread among the events
    assert len({body["client_id"] for _kind, _path, body in work}) == 24


def test_the_benchmark_keeps_the_drills_section_when_it_rewrites_the_file(tmp_path, db):
    from bench import report

    path = tmp_path / "RESULTS.md"
    replace_section(path, FAULTS_HEADING, ["- events: 10 sent, 10 stored"])

    report.write_results(
        path, figures=[], sizes={}, about=report.machine(), command="pytest", notes=["a note"]
    )

    text = path.read_text()
    assert "Taken by `pytest`" in text and "- a note" in text
    assert text.count(FAULTS_HEADING) == 1 and "- events: 10 sent, 10 stored" in text
