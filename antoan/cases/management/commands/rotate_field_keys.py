from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from antoan.core.crypto import EncryptedTextField, current_key_version, key_version_of


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of ANTOAN_FIELD_KEYS. Run after "
        "adding a new key in front; remove an old key only when this finds nothing under it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch: int, **options):
        current = current_key_version()
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            rewritten = 0
            for pks in _stale_pks(model, fields, current, batch):
                with transaction.atomic():
                    for row in model.objects.filter(pk__in=pks).select_for_update():
                        # Loading decrypts with the old key; saving seals with the current one.
                        row.save(update_fields=[f.name for f in fields])
                rewritten += len(pks)
            total += rewritten
            self.stdout.write(f"{model._meta.label}: re-encrypted {rewritten} row(s).")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s) moved to key {current}."))


def _stale_pks(model, fields, current: str, batch: int):
    """Batches of primary keys whose stored text was sealed by another key version."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",  # noqa: S608
                [last, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        stale = [row[0] for row in rows if any(v and key_version_of(v) != current for v in row[1:])]
        if stale:
            yield stale
