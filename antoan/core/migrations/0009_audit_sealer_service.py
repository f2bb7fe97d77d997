"""PostgreSQL: writers leave sealing to the sealer service while it runs (``auto`` sealing).

``antoan_audit_append`` takes two more ways to seal and says whether the service is running:

- ``auto`` (a writer outside a transaction) and ``auto_later`` (inside one): the sealer
  service (``manage.py seal_audit --every``) holds an exclusive session advisory lock,
  ``SERVICE_LOCK``, for as long as it runs. The writer tries that lock in shared mode and lets
  go at once (lock-manager work only: no row is read or written). If the try fails, the service
  is running: the event is left to it and ``service`` comes back true. If it succeeds, no
  service runs, and the writer seals as ``after_commit`` does (``try`` outside a transaction,
  ``none`` then its own check after commit).
- ``inline``, ``try`` and ``none`` are as before (core/0007).

The new OUT column needs the function dropped and created again (a CREATE OR REPLACE cannot
change the columns it returns); the migration's transaction makes that atomic. Reverse: the
function of core/0007. See docs/audit.md, "Sealing: who seals, and when".
"""

import importlib

from django.db import migrations

SEALER_LOCK = 107127027753326  # antoan.core.audit.SEALER_LOCK ("antoan")
SERVICE_LOCK = 107127027753327  # antoan.core.audit.SEALER_SERVICE_LOCK

ARGS = (
    "timestamptz, bigint, text, bigint, text, text, text, text, text, text, inet, jsonb, jsonb, "
    "text"
)

APPEND = (
    r"""
DROP FUNCTION IF EXISTS antoan_audit_append(ARGS);
CREATE FUNCTION antoan_audit_append(
    p_occurred_at timestamptz, p_user_id bigint, p_username text, p_agency_id bigint,
    p_role text, p_action text, p_object_type text, p_object_id text, p_place_code text,
    p_request_id text, p_ip inet, p_changed_fields jsonb, p_extra jsonb, p_seal text,
    OUT event_id bigint, OUT event_seq bigint, OUT event_prev_hash text,
    OUT event_hash text, OUT stuck boolean, OUT service boolean
) LANGUAGE plpgsql AS $$
-- Insert one event (unsealed) and seal: 'inline' (everything unsealed, waiting for the head),
-- 'try' (this event and later ones, only if no one else is sealing; the lock is then held to
-- the end of the transaction), 'none', or 'auto' / 'auto_later': nothing if the sealer
-- service runs (service = true), else as 'try' / 'none'.
DECLARE
    stuck_id bigint;
    sealing boolean := false;
    how text := p_seal;
BEGIN
    INSERT INTO core_auditevent (
        occurred_at, user_id, username, agency_id, role, action, object_type, object_id,
        place_code, request_id, ip, changed_fields, extra, prev_hash, hash
    ) VALUES (
        p_occurred_at, p_user_id, p_username, p_agency_id, p_role, p_action, p_object_type,
        p_object_id, p_place_code, p_request_id, p_ip, p_changed_fields, p_extra, '', ''
    ) RETURNING id INTO event_id;
    stuck := false;
    service := false;
    IF how IN ('auto', 'auto_later') THEN
        -- The service holds SERVICE_LOCK_KEY exclusively while it runs: then a shared try fails.
        IF pg_try_advisory_lock_shared(SERVICE_LOCK_KEY) THEN
            PERFORM pg_advisory_unlock_shared(SERVICE_LOCK_KEY);
            how := CASE how WHEN 'auto' THEN 'try' ELSE 'none' END;
        ELSE
            service := true;
            how := 'none';
        END IF;
    END IF;
    IF how = 'inline' THEN
        sealing := true;
        SELECT b.stuck INTO stuck_id FROM antoan_audit_seal_batch(0, 1000, true) AS b;
    ELSIF how = 'try' AND pg_try_advisory_xact_lock(SEALER_LOCK_KEY) THEN
        sealing := true;
        SELECT b.stuck INTO stuck_id FROM antoan_audit_seal_batch(event_id, 1000, true) AS b;
    END IF;
    IF sealing THEN
        stuck := stuck_id IS NOT NULL;
        SELECT a.seq, a.prev_hash, a.hash INTO event_seq, event_prev_hash, event_hash
          FROM core_auditevent AS a WHERE a.id = event_id;
    END IF;
END;
$$;
""".replace("SERVICE_LOCK_KEY", str(SERVICE_LOCK))
    .replace("SEALER_LOCK_KEY", str(SEALER_LOCK))
    .replace("ARGS", ARGS)
)


def _before() -> str:
    """core/0007's function, as it was."""
    previous = importlib.import_module("antoan.core.migrations.0007_audit_seal_in_database")
    start = previous.FUNCTIONS.index("CREATE OR REPLACE FUNCTION antoan_audit_append(")
    end = previous.FUNCTIONS.index("CREATE OR REPLACE FUNCTION antoan_audit_seal_own(")
    return (
        f"DROP FUNCTION IF EXISTS antoan_audit_append({ARGS});\n" + (previous.FUNCTIONS[start:end])
    )


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # Straight to the cursor without parameters, as core/0007 does.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, APPEND)


def backwards(apps, schema_editor):
    _run(schema_editor, _before())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_no_single_column_fk_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
