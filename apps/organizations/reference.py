"""The reference lists (position kinds, title kinds) every installation starts with.

They live in ``fixtures/reference.json``; after each ``migrate`` the codes
that are missing are added. Rows staff added or renamed are left alone.
"""

import json

from django.conf import settings

from apps.organizations.models import PositionKind, TitleKind

REFERENCE_FILE = settings.BASE_DIR / "fixtures" / "reference.json"
MODELS = {"position_kinds": PositionKind, "title_kinds": TitleKind}


def sync_reference_lists(using="default", **kwargs) -> int:
    """Add the reference rows whose codes are missing; return how many were added."""
    lists = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    added = 0
    for key, model in MODELS.items():
        known = set(model.objects.using(using).values_list("code", flat=True))
        rows = [
            model(code=row["code"], name=row["name"], sort_order=order, **row.get("rules", {}))
            for order, row in enumerate(lists[key], start=1)
            if row["code"] not in known
        ]
        model.objects.using(using).bulk_create(rows)
        added += len(rows)
    return added
