"""Every write of the reports app: the draft's paragraphs (docs/reports.md, The draft)."""

from django.db import transaction

from apps.core.history import history_note
from apps.reports.models import DraftParagraph

PARAGRAPH_FIELDS = ("section", "order", "text")


@transaction.atomic
def draft_paragraph_create(*, by, section: str, order: int, text: str) -> DraftParagraph:
    """Add a paragraph to the draft; its placeholders are checked (``DraftParagraph.clean``)."""
    paragraph = DraftParagraph(section=section, order=order, text=text)
    paragraph.full_clean()
    history_note(paragraph, by=by, reason="")
    paragraph.save()
    return paragraph


@transaction.atomic
def draft_paragraph_update(*, by, paragraph: DraftParagraph, **fields) -> DraftParagraph:
    unknown = set(fields) - set(PARAGRAPH_FIELDS)
    if unknown:
        raise TypeError(f"a paragraph has no changeable {sorted(unknown)}")
    for name, value in fields.items():
        setattr(paragraph, name, value)
    paragraph.full_clean()
    history_note(paragraph, by=by, reason="")
    paragraph.save()
    return paragraph


@transaction.atomic
def draft_paragraph_delete(*, by, paragraph: DraftParagraph) -> None:
    """Remove a paragraph; its history keeps what it said."""
    history_note(paragraph, by=by, reason="")
    paragraph.delete()
