from django.core.management.base import BaseCommand
from django.db import transaction

from antoan.cases.models import Survivor
from antoan.cases.services.intake import index_survivor


class Command(BaseCommand):
    help = "Recompute the blind indexes of survivors (after changing ANTOAN_INDEX_KEY)."

    def handle(self, *args, **options):
        count = 0
        for survivor in Survivor.objects.order_by("pk").iterator(chunk_size=500):
            with transaction.atomic():
                index_survivor(survivor)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {count} survivor(s)."))
