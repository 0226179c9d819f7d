"""The benchmark (bench/, `make bench`) at a tiny size: it generates, every measurement finds its
answer equal to its floor's, and the results are written. No timing is asserted here: speed is
the bench's to measure (docs/quality.md, Speed), on its own database at district scale."""

import pytest

from apps.events.models import Event
from apps.members.models import BranchAttendance, BranchMeeting, Member
from bench import generate, report
from bench.accounts import bench_accounts, described
from bench.database import bench_url
from bench.events import ensure_events
from bench.run import NOTES, measure

pytestmark = pytest.mark.django_db

SECTIONS = ["1"] * 9 + ["2"] * 2 + ["3"] * 3 + ["4"] + ["5"] * 3 + ["6"] * 3 + ["23"] + ["24"] * 2


def quiet(_line: str) -> None:
    pass


def test_the_bench_database_is_its_own_beside_the_given_one():
    assert bench_url("postgres://u@db:5432/federation") == "postgres://u@db:5432/federation_bench"
    assert bench_url("postgres://u@db/federation_bench") == "postgres://u@db/federation_bench"


def test_the_bench_generates_measures_with_equal_answers_and_writes_its_results(tree, tmp_path):
    generate.ensure(people=300, attendance=600, demo=False, say=quiet)
    made = (Member.objects.count(), BranchAttendance.objects.count(), BranchMeeting.objects.count())
    assert made[:2] == (300, 600)
    open_villages = {tree.village_a1.pk, tree.village_a2.pk, tree.village_b1.pk}
    assert set(Member.objects.values_list("organization_id", flat=True)) >= open_villages
    generate.ensure(people=300, attendance=600, demo=False, say=quiet)  # there: adds nothing
    assert (
        Member.objects.count(),
        BranchAttendance.objects.count(),
        BranchMeeting.objects.count(),
    ) == made

    ensure_events(events=200, say=quiet)
    assert Event.objects.count() == 200
    ensure_events(events=200, say=quiet)  # there: adds nothing
    assert Event.objects.count() == 200

    accounts = bench_accounts()
    # Each measurement raises AnswersDiffer unless it gives its floor's answer.
    figures = measure(accounts, reps=1, import_rows=40, import_reps=1, ingest=40, say=quiet)

    assert [figure.section for figure in figures] == SECTIONS
    assert Member.objects.count() == 300  # what the measurements wrote is gone
    assert Event.objects.count() == 200
    path = tmp_path / "RESULTS.md"
    report.write_results(
        path,
        figures=figures,
        sizes=generate.sizes(),
        about=report.machine(),
        command="pytest",
        notes=[*described(accounts), *NOTES],
    )
    text = path.read_text()
    assert "- people (members_member): 300" in text
    assert f"sits in {tree.district.name}: 300 living people" in text
    for figure in figures:
        assert f"| {figure.section} | {figure.what} | {figure.measured} |" in text
