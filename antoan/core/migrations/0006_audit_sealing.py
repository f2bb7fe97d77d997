"""Events are sealed after they are written (docs/audit.md, "Sealing").

``seq`` becomes nullable and ``prev_hash``/``hash`` may be empty: ``audit_record`` inserts an
event unsealed and the sealer gives it its place in the chain later. A partial index lists the
unsealed events for the sealer. On PostgreSQL the append-only trigger now lets exactly one
UPDATE through per event: the sealing one (``seq`` from NULL to a number, both hashes set,
every other column unchanged). Anything else is refused as before.
"""

from django.conf import settings
from django.db import migrations, models

SEALING_TRIGGER = """
CREATE OR REPLACE FUNCTION antoan_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Sealing, once: an unsealed event gets its seq and hashes; nothing else may change.
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND length(NEW.hash) = 64 AND length(NEW.prev_hash) = 64
           AND (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash')
               = (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING HINT = 'Events are only ever inserted, then sealed once; see docs/audit.md.';
END;
$$;
"""

APPEND_ONLY_TRIGGER = """
CREATE OR REPLACE FUNCTION antoan_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING HINT = 'Events are only ever inserted; see docs/audit.md.';
END;
$$;
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        # Straight to the cursor without parameters: the "%" in RAISE are not placeholders.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def allow_sealing(apps, schema_editor):
    _run(schema_editor, SEALING_TRIGGER)


def refuse_sealing(apps, schema_editor):
    _run(schema_editor, APPEND_ONLY_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_health_roles_and_kinds"),
        ("core", "0005_form_drafts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "verbose_name": "sự kiện nhật ký",
                "verbose_name_plural": "nhật ký truy cập",
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
        migrations.RunPython(allow_sealing, refuse_sealing, elidable=False),
    ]
