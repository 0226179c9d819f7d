"""Timing a measurement against its floor: answers first, then alternate runs, then medians.

Every figure of the bench is a ratio against a floor timed in the same run, so a slow or busy
machine moves both. The two are timed in turns (measured, floor, measured, floor …), so a burst
of load from elsewhere falls on both, and the median of each is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from time import perf_counter


class AnswersDiffer(AssertionError):
    """The measured path and its floor did not give the same answer: the ratio would mean
    nothing."""


def same_answer(what: str, measured, floor) -> None:
    if measured != floor:
        raise AnswersDiffer(f"{what}: the measured answer differs from the floor's")


def timed(function: Callable) -> float:
    started = perf_counter()
    function()
    return perf_counter() - started


def in_turns(*functions: Callable, reps: int) -> list[float]:
    """Each function's median time (seconds) over ``reps`` runs taken in turns."""
    return in_turns_within(None, *functions, reps=reps)[0]


def in_turns_within(
    budget: float | None, *functions: Callable, reps: int
) -> tuple[list[float], int]:
    """``in_turns``, stopping after the round that passes ``budget`` seconds (a page that takes
    a minute needs no twenty runs); and how many rounds were run."""
    times: list[list[float]] = [[] for _ in functions]
    started = perf_counter()
    for _ in range(reps):
        for index, function in enumerate(functions):
            times[index].append(timed(function))
        if budget is not None and perf_counter() - started >= budget:
            break
    return [median(found) for found in times], len(times[0])


@dataclass
class Figure:
    """One line of the table: a measurement beside its floor."""

    section: str
    what: str
    measured: str
    floor: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else f"{self.ratio:.2f}×"

    @property
    def met_text(self) -> str:
        return {True: "yes", False: "**no**", None: ""}[self.met]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s"


def ratio_figure(
    section: str,
    what: str,
    measured: float,
    floor: float,
    floor_what: str,
    *,
    limit: float | None = None,
    note: str = "",
) -> Figure:
    """A time against its floor's; ``limit``: the largest ratio the target allows."""
    ratio = measured / floor
    return Figure(
        section,
        what,
        ms(measured),
        f"{ms(floor)} ({floor_what})",
        ratio,
        f"≤ {limit:g}×" if limit is not None else "",
        None if limit is None else ratio <= limit,
        note,
    )
