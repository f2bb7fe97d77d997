"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the audit log, whoever asks.

The application's role is also denied those privileges (``manage.py grant_app_role``); the
triggers stop the table owner and any role granted too much by mistake. TRUNCATE is let through
for superusers only: Django's test runner empties tables with TRUNCATE, and a superuser can
disable triggers anyway. SQLite has no roles: there the model refuses updates and deletes.
See docs/audit.md.
"""

from django.db import migrations

CREATE = """
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

CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION antoan_audit_append_only();

CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION antoan_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS antoan_audit_append_only();
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        # Straight to the cursor without parameters: the "%" in RAISE are not placeholders.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def create_triggers(apps, schema_editor):
    _run(schema_editor, CREATE)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
