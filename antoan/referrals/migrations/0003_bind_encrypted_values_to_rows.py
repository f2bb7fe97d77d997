"""Bind every encrypted value to its row as well as its column (see antoan/core/crypto.py).

Each row gets a random ``row_key``; its encrypted values are re-sealed with the row key in the
associated data, so a value copied into another row no longer reads. Reversible.
"""

import uuid

from django.db import migrations, models

from antoan.core.crypto import bind_rows_to_keys

MODELS = ["provider", "referral", "servicedelivery"]


def bind(apps, schema_editor):
    for name in MODELS:
        bind_rows_to_keys(apps.get_model("referrals", name), schema_editor.connection)


def unbind(apps, schema_editor):
    for name in MODELS:
        bind_rows_to_keys(apps.get_model("referrals", name), schema_editor.connection, unbind=True)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_index_first_contact_and_service")]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="servicedelivery",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bind, unbind),
        migrations.AlterField(
            model_name="provider",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="referral",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="servicedelivery",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
