"""The annual report's draft: its paragraphs (``DraftParagraph``, data staff edit) filled with
the report's figures in the report's style (docs/reports.md, The draft).

A placeholder is a catalogue key in braces, ``{events.themed_publicity_held}``, or
``{organization}`` / ``{year}``. It is filled with the number alone, as the report writes it
("400余", "2.35" for money in 万元, "4"); the paragraph carries the unit
("…{events.themed_publicity_held}场次"). A figure hidden from leadership reads 【已隐藏】.
A key the catalogue does not know is refused when the paragraph is saved.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.reports import selectors
from apps.reports.annual import LINES, SECTIONS, in_wan, report_style
from apps.reports.catalogue import BY_KEY

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ORGANIZATION, YEAR = "organization", "year"
HIDDEN = gettext_lazy("[hidden]")


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of ``text``, in words (none: it may be saved)."""
    problems = []
    unknown = [
        name
        for name in PLACEHOLDER.findall(text)
        if name not in BY_KEY and name not in (ORGANIZATION, YEAR)
    ]
    if unknown:
        names = "、".join(f"{{{name}}}" for name in dict.fromkeys(unknown))
        problems.append(
            _(
                "Unknown placeholder %(names)s: a placeholder is a figure's key from the "
                "catalogue of figures (such as {events.themed_publicity_held}), {organization} "
                "or {year}."
            )
            % {"names": names}
        )
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        problems.append(
            _("A brace opens or closes no placeholder: write each figure as {key}, in braces.")
        )
    return problems


def figure_text(key: str, found: dict) -> str:
    """The figure ``key`` of the annual report ``found`` (``annual.annual()``) as a placeholder
    is filled: the number in the report's style, without its unit (the paragraph writes it).
    Once the year is signed off that is the frozen figure, as the page's lines show it."""
    value = found["values"][key]
    if value is None:
        return str(HIDDEN) if f"figures.{key}" in found["suppressed"] else "—"
    if isinstance(value, Decimal):
        return str(in_wan(value))
    if isinstance(value, float):
        return f"{value:.1f}"
    line = LINES.get(key)
    return report_style(value, "", rounds=bool(line and line.rounds))


def render(text: str, *, found: dict) -> str:
    """``text`` with each placeholder filled from the annual report ``found``. A key the
    catalogue no longer has (the paragraph was saved before it went) is left as written, for
    the writer to see."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == ORGANIZATION:
            return found["report"].organization.name
        if name == YEAR:
            return str(found["year"])
        if name in BY_KEY:
            return figure_text(name, found)
        return match.group(0)

    return PLACEHOLDER.sub(fill, text)


def draft(found: dict) -> list[dict]:
    """The draft of the annual report ``found`` (``annual.annual()``): each section of the
    report that has paragraphs, in the report's order, with its paragraphs filled from the
    figures the page shows (one query: the paragraphs)."""
    by_section: dict[str, list[str]] = {}
    for paragraph in selectors.draft_paragraphs():
        by_section.setdefault(paragraph.section, []).append(render(paragraph.text, found=found))
    return [
        {"code": section.code, "title": str(section.title), "paragraphs": by_section[section.code]}
        for section in SECTIONS
        if section.code in by_section
    ]
