"""23: the district's report of a year from the rollups against the same report from the
records (docs/quality.md, 23; docs/reports.md, Rollups).

The measured path is ``selectors.report`` as the dashboard and the summary API call it: the
sources kept by month read from their rollups. Its floor is the same call with
``rollups=False``, every figure from the records. The answers are checked equal first: every
figure, previous figure, row by child, trend month and breakdown part."""

import dataclasses

from django.utils import timezone

from apps.reports import periods, selectors
from bench.timing import Figure, in_turns, ratio_figure, same_answer

FASTER = 5.0  # from the rollups at least 5× faster than from the records


def _answer(found) -> tuple:
    return (
        found.values,
        found.previous,
        [row.values for row in found.rows],
        found.trend,
        {
            key: [dataclasses.astuple(part) for part in parts]
            for key, parts in found.breakdowns.items()
        },
    )


def report_rollups(accounts, *, reps: int) -> list[Figure]:
    user = accounts.district
    period = periods.year(timezone.localdate().year - 1)  # the last whole year

    def rolled():
        return selectors.report(user=user, organization=user.organization, period=period)

    def live():
        return selectors.report(
            user=user, organization=user.organization, period=period, rollups=False
        )

    same_answer("23 the report from the rollups", _answer(rolled()), _answer(live()))
    measured, floor = in_turns(rolled, live, reps=max(3, reps // 4))
    return [
        ratio_figure(
            "23",
            f"the district's report of {period.first.year} from the rollups",
            measured,
            floor,
            "the same from the records",
            limit=1 / FASTER,
        )
    ]
