"""python manage.py record_duplicates

Records the likely duplicates (docs/merging.md) of every person on file: for rows written
around the people services and the import (a COPY, the bench's generator, a restore). Pairs
already recorded are left as they are; a second run adds nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.members.merging import record_candidates


class Command(BaseCommand):
    help = "Record the likely duplicates among every person on file."

    def handle(self, *args, **options):
        with transaction.atomic():
            added = record_candidates(None)
        self.stdout.write(f"{added} pairs recorded")
