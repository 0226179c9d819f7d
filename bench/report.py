"""The figures as a table on the terminal and in bench/RESULTS.md, with the machine they were
taken on."""

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone

from bench.timing import Figure

HEADER = ["#", "measurement", "measured", "floor (same run)", "ratio", "target", "met"]


@dataclass
class Machine:
    cpus: int
    cpu_model: str
    memory: str
    load: str
    postgresql: str
    python: str
    django: str
    date: str


def _meminfo_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> Machine:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return Machine(
        cpus=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        memory=_meminfo_total(),
        load=load,
        postgresql=version,
        python=platform.python_version(),
        django=django.get_version(),
        date=timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
    )


def _rows(figures: list[Figure]) -> list[list[str]]:
    return [
        [f.section, f.what, f.measured, f.floor, f.ratio_text, f.target, f.met_text]
        for f in figures
    ]


def table(figures: list[Figure]) -> str:
    """A plain-text table for the terminal."""
    rows = [HEADER, *_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(figures)
    ]
    return "\n".join(lines)


# The fault drill's section (python -m faults): written by the drill, kept by the benchmark.
FAULTS_HEADING = "## The fault drill (make faults)"


def _section(text: str, heading: str) -> str:
    """``heading``'s section of ``text`` (to the next heading of its level), or ''."""
    start = text.find(heading + "\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start : end + 1]


def replace_section(path: Path, heading: str, body: list[str]) -> None:
    """``path`` with ``heading``'s section made ``body`` (added at the end if missing)."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = "\n".join([heading, "", *body, ""])
    old = _section(text, heading)
    text = text.replace(old, section) if old else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def write_results(
    path: Path,
    *,
    figures: list[Figure],
    sizes: dict[str, int],
    about: Machine,
    command: str,
    notes: list[str],
    load_after: str = "",
) -> None:
    """Write the figures with the machine, the sizes and how they were taken to ``path``."""
    size_lines = [f"- {name}: {count:,}" for name, count in sizes.items()]
    figure_notes = [f"- {f.section} {f.what}: {f.note}" for f in figures if f.note]
    missed = [
        f"{f.section} {f.what} ({f.ratio_text or f.measured}, target {f.target})"
        for f in figures
        if f.met is False
    ]
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            f"Taken by `{command}` on {about.date}. Every ratio is the measured time over its "
            "floor's, both timed in turns in the same run (medians); each measurement first "
            "checks that it gives the same answer as its floor. What each floor is: the notes "
            "below, and README.md (The benchmark).",
            "",
            "## Machine",
            "",
            f"- CPU: {about.cpus} × {about.cpu_model}",
            f"- memory: {about.memory}",
            f"- load average (1, 5, 15 min) at the start: {about.load}"
            + (f"; at the end: {load_after}" if load_after else ""),
            f"- PostgreSQL {about.postgresql}, Python {about.python}, Django {about.django}",
            "",
            "## Sizes",
            "",
            *size_lines,
            "",
            "## Figures",
            "",
            markdown_table(figures),
            "",
            "## Targets missed",
            "",
            *([f"- {line}" for line in missed] or ["- none"]),
            "",
            "## Notes",
            "",
            *figure_notes,
            *[f"- {note}" for note in notes],
            "",
        ]
    )
    kept = _section(path.read_text(), FAULTS_HEADING) if path.exists() else ""
    path.write_text(text + ("\n" + kept if kept else ""))
