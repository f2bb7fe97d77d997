"""Bind every encrypted value to its row as well as its column (see antoan/core/crypto.py).

Each row gets a random ``row_key``; its encrypted values are re-sealed with the row key in the
associated data, so a value copied into another row no longer reads. Reversible.
"""

import uuid

from django.db import migrations, models

from antoan.core.crypto import bind_rows_to_keys

MODELS = [
    "survivor",
    "incident",
    "perpetrator",
    "assessment",
    "safetyplan",
    "caseplan",
    "followup",
    "casenote",
    "protectionmeasure",
    "closurerequest",
    "casetransfer",
]


def bind(apps, schema_editor):
    for name in MODELS:
        bind_rows_to_keys(apps.get_model("cases", name), schema_editor.connection)


def unbind(apps, schema_editor):
    for name in MODELS:
        bind_rows_to_keys(apps.get_model("cases", name), schema_editor.connection, unbind=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_duplicate_review")]

    operations = [
        migrations.AddField(
            model_name="survivor",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="perpetrator",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="assessment",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="safetyplan",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="caseplan",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="casenote",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="protectionmeasure",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="closurerequest",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="casetransfer",
            name="row_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bind, unbind),
        migrations.AlterField(
            model_name="survivor",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="incident",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="perpetrator",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="safetyplan",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="caseplan",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="followup",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="casenote",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="protectionmeasure",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="closurerequest",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="casetransfer",
            name="row_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
