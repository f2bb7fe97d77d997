"""PostgreSQL: record and seal audit events in the database, one round trip each.

Adds SQL functions (PostgreSQL only; a no-op on SQLite, where Python seals as before):

- ``antoan_audit_json(jsonb)``, ``antoan_audit_float(text)``, ``antoan_audit_hash(event, seq,
  prev_hash)``: the hash of ``antoan.core.audit.event_hash``, byte for byte: the same canonical
  JSON (keys sorted by code point, no whitespace, the same escapes, numbers as Python writes
  them once read back) and SHA-256 (built in since PostgreSQL 11: no extension needed). A value
  it cannot reproduce exactly gives NULL, and Python seals that event instead.
- ``antoan_audit_seal_batch(from_id, limit, fsync)``: under the chain head's row lock, seals up
  to ``limit`` unsealed events from ``from_id`` on, in id order, in one statement; stops before
  an event it cannot hash (``stuck``), which Python then seals.
- ``antoan_audit_append(...)``: inserts an event and, as asked, seals at once (``inline``), if
  no one else is sealing (``try``: ``pg_try_advisory_xact_lock``), or not (``none``).
- ``antoan_audit_seal_own(id, limit)``: after a writer's commit, makes sure its event is
  sealed: returns at once if it is, else waits for the sealer at work (one short batch), looks
  again, and seals it and the later committed events if no one did.

And the append-only trigger checks a seal in its ``WHEN`` clause: a seal (``seq`` from NULL,
both hashes of 64 characters, every other column the same) no longer calls the trigger
function, whose ``to_jsonb`` of both rows cost more than computing the hash. Anything else
calls it and is refused, as before; DELETE has its own trigger (a ``WHEN`` that names ``NEW``
cannot be on DELETE). The columns are listed; ``test_the_seal_trigger_names_every_column``
fails if a column is added to the table without being added here.

The advisory lock key is ``antoan.core.audit.SEALER_LOCK``. See docs/audit.md.
"""

from django.db import migrations

SEALER_LOCK = 107127027753326  # antoan.core.audit.SEALER_LOCK ("antoan")

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION antoan_audit_float(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET extra_float_digits = 1 AS $$
-- A JSON number with a fraction, as Python's json.dumps writes the float json.loads reads
-- from it: the shortest digits that round-trip (PostgreSQL's float8 output gives the same),
-- fixed notation when -4 <= exponent < 16 (with ".0" if integral), else d.ddde+XX.
DECLARE
    s text;
    neg boolean := false;
    p integer;
    x integer := 0;
    m text;
    int_part text;
    frac text := '';
    d text;
    decpt integer;
BEGIN
    s := t::float8::text;
    IF left(s, 1) = '-' THEN
        neg := true;
        s := substr(s, 2);
    END IF;
    IF s IN ('Infinity', 'NaN') THEN
        RETURN NULL;
    END IF;
    p := strpos(s, 'e');
    IF p > 0 THEN
        x := substr(s, p + 1)::integer;
        m := left(s, p - 1);
    ELSE
        m := s;
    END IF;
    p := strpos(m, '.');
    IF p > 0 THEN
        int_part := left(m, p - 1);
        frac := substr(m, p + 1);
    ELSE
        int_part := m;
    END IF;
    d := ltrim(int_part || frac, '0');
    IF d = '' THEN
        RETURN CASE WHEN neg THEN '-0.0' ELSE '0.0' END;
    END IF;
    -- value = 0.<d> * 10^decpt
    decpt := length(int_part) + x - (length(int_part || frac) - length(d));
    d := rtrim(d, '0');
    IF decpt > -4 AND decpt <= 16 THEN
        IF decpt <= 0 THEN
            s := '0.' || repeat('0', -decpt) || d;
        ELSIF decpt >= length(d) THEN
            s := d || repeat('0', decpt - length(d)) || '.0';
        ELSE
            s := left(d, decpt) || '.' || substr(d, decpt + 1);
        END IF;
    ELSE
        s := left(d, 1) || CASE WHEN length(d) > 1 THEN '.' || substr(d, 2) ELSE '' END
            || 'e' || CASE WHEN decpt - 1 < 0 THEN '-' ELSE '+' END
            || CASE WHEN abs(decpt - 1) < 10 THEN '0' ELSE '' END  -- lpad would cut
            || abs(decpt - 1)::text;
    END IF;
    RETURN CASE WHEN neg THEN '-' || s ELSE s END;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;  -- e.g. out of float range: Python seals this event
END;
$$;

CREATE OR REPLACE FUNCTION antoan_audit_json(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
-- json.dumps(json.loads(j), sort_keys=True, ensure_ascii=False, separators=(",", ":")).
-- Strings: jsonb's output escapes exactly as Python does (\" \\ \b \f \n \r \t, other
-- control characters as \u00xx, nothing else). Keys sort by code point (COLLATE "C" on UTF-8).
DECLARE
    kind text := jsonb_typeof(j);
    out text;
    missing bigint;
BEGIN
    IF kind = 'object' THEN
        IF j = '{}'::jsonb THEN
            RETURN '{}';
        END IF;
        SELECT '{' || string_agg(member, ',' ORDER BY key COLLATE "C") || '}',
               count(*) - count(member)
          INTO out, missing
          FROM (SELECT key, to_json(key)::text || ':' || antoan_audit_json(value) AS member
                  FROM jsonb_each(j)) AS members;
    ELSIF kind = 'array' THEN
        IF j = '[]'::jsonb THEN
            RETURN '[]';
        END IF;
        SELECT '[' || string_agg(item, ',' ORDER BY n) || ']', count(*) - count(item)
          INTO out, missing
          FROM (SELECT n, antoan_audit_json(value) AS item
                  FROM jsonb_array_elements(j) WITH ORDINALITY AS a(value, n)) AS items;
    ELSIF kind = 'number' THEN
        out := j::text;  -- numeric output: plain digits, never an exponent
        IF strpos(out, '.') > 0 THEN
            RETURN antoan_audit_float(out);  -- Python reads it as a float
        END IF;
        RETURN out;  -- an int
    ELSE
        RETURN j::text;  -- string, true, false, null
    END IF;
    IF missing > 0 THEN
        RETURN NULL;  -- string_agg would silently drop what could not be written
    END IF;
    RETURN out;
END;
$$;

CREATE OR REPLACE FUNCTION antoan_audit_hash(e core_auditevent, p_seq bigint, p_prev text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
-- antoan.core.audit.event_hash: the hashed fields in sorted order; occurred_at in UTC with
-- microseconds; ip as its output (abbrev: no /32); NULL if a part cannot be written.
-- PL/pgSQL rather than SQL: its plan is kept for the session, where a SQL function called
-- from PL/pgSQL would be parsed and planned again in every transaction.
BEGIN
    RETURN encode(sha256(convert_to(
    '{"action":' || to_json(e.action)::text
    || ',"agency_id":' || coalesce(e.agency_id::text, 'null')
    || ',"changed_fields":' || antoan_audit_json(e.changed_fields)
    || ',"extra":' || antoan_audit_json(e.extra)
    || ',"ip":' || coalesce(to_json(abbrev(e.ip))::text, 'null')
    || ',"object_id":' || to_json(e.object_id)::text
    || ',"object_type":' || to_json(e.object_type)::text
    || ',"occurred_at":"'
    || to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'
    || ',"place_code":' || to_json(e.place_code)::text
    || ',"prev_hash":' || to_json(p_prev)::text
    || ',"request_id":' || to_json(e.request_id)::text
    || ',"role":' || to_json(e.role)::text
    || ',"seq":' || p_seq::text
    || ',"user_id":' || coalesce(e.user_id::text, 'null')
    || ',"username":' || to_json(e.username)::text
    || '}', 'UTF8')), 'hex');
END;
$$;

CREATE OR REPLACE FUNCTION antoan_audit_seal_batch(
    p_from bigint, p_limit integer, p_fsync boolean, OUT sealed integer, OUT stuck bigint
) LANGUAGE plpgsql AS $$
-- Seal up to p_limit unsealed events with id >= p_from, in id order, under the chain head's
-- row lock (held until the caller's commit). Stops before an event whose hash cannot be
-- computed here (stuck). A writer passes its own event's id: the scan of the unsealed index
-- then starts there instead of walking the entries of every event sealed since the last
-- VACUUM (which a long transaction anywhere in the cluster keeps from being cleaned).
DECLARE
    head_seq bigint;
    head_hash text;
    e core_auditevent;
    next_hash text;
    ids bigint[] := '{}';
    seqs bigint[] := '{}';
    prevs text[] := '{}';
    hashes text[] := '{}';
    changed integer;
BEGIN
    SELECT h.seq, h.hash INTO head_seq, head_hash
      FROM core_auditchainhead AS h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN  -- the very first event
        INSERT INTO core_auditchainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64))
            ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO head_seq, head_hash
          FROM core_auditchainhead AS h WHERE h.id = 1 FOR UPDATE;
    END IF;
    IF NOT p_fsync THEN
        -- Lost in a crash, a seal is lost whole (events and head) and sealed again.
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    FOR e IN SELECT * FROM core_auditevent AS a
               WHERE a.seq IS NULL AND a.id >= p_from ORDER BY a.id LIMIT p_limit
    LOOP
        next_hash := antoan_audit_hash(e, head_seq + 1, head_hash);
        IF next_hash IS NULL THEN
            stuck := e.id;
            EXIT;
        END IF;
        ids := ids || e.id;
        seqs := seqs || (head_seq + 1);
        prevs := prevs || head_hash;
        hashes := hashes || next_hash;
        head_seq := head_seq + 1;
        head_hash := next_hash;
    END LOOP;
    sealed := coalesce(array_length(ids, 1), 0);
    IF sealed > 0 THEN
        UPDATE core_auditevent AS a
           SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
          FROM unnest(ids, seqs, prevs, hashes) AS v(id, seq, prev_hash, hash)
         WHERE a.id = v.id AND a.seq IS NULL;
        GET DIAGNOSTICS changed = ROW_COUNT;
        IF changed <> sealed THEN  -- cannot happen under the head lock; never chain a guess
            RAISE EXCEPTION 'sealing changed % events of %', changed, sealed;
        END IF;
        UPDATE core_auditchainhead SET seq = head_seq, hash = head_hash WHERE id = 1;
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION antoan_audit_append(
    p_occurred_at timestamptz, p_user_id bigint, p_username text, p_agency_id bigint,
    p_role text, p_action text, p_object_type text, p_object_id text, p_place_code text,
    p_request_id text, p_ip inet, p_changed_fields jsonb, p_extra jsonb, p_seal text,
    OUT event_id bigint, OUT event_seq bigint, OUT event_prev_hash text,
    OUT event_hash text, OUT stuck boolean
) LANGUAGE plpgsql AS $$
-- Insert one event (unsealed) and seal: 'inline' (everything unsealed, waiting for the head),
-- 'try' (this event and later ones, only if no one else is sealing; the lock is then held to
-- the end of the transaction) or 'none'.
DECLARE
    stuck_id bigint;
    sealing boolean := false;
BEGIN
    INSERT INTO core_auditevent (
        occurred_at, user_id, username, agency_id, role, action, object_type, object_id,
        place_code, request_id, ip, changed_fields, extra, prev_hash, hash
    ) VALUES (
        p_occurred_at, p_user_id, p_username, p_agency_id, p_role, p_action, p_object_type,
        p_object_id, p_place_code, p_request_id, p_ip, p_changed_fields, p_extra, '', ''
    ) RETURNING id INTO event_id;
    stuck := false;
    IF p_seal = 'inline' THEN
        sealing := true;
        SELECT b.stuck INTO stuck_id FROM antoan_audit_seal_batch(0, 1000, true) AS b;
    ELSIF p_seal = 'try' AND pg_try_advisory_xact_lock(SEALER_LOCK_KEY) THEN
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

CREATE OR REPLACE FUNCTION antoan_audit_seal_own(
    p_id bigint, p_limit integer, OUT sealed integer, OUT stuck bigint
) LANGUAGE plpgsql AS $$
-- After a writer's commit (autocommit): make sure its event p_id is sealed. If another sealer
-- is at work, wait for it (it holds the lock for one short batch) and look again: it may have
-- sealed ours. Else seal ours and the later committed ones, without fsync (lost in a crash, a
-- seal is lost whole and sealed again). Every writer seeing to its own event, none is left
-- behind by a race, and no scan starts below the writer's own event.
BEGIN
    sealed := 0;
    IF (SELECT a.seq FROM core_auditevent AS a WHERE a.id = p_id) IS NOT NULL THEN
        RETURN;  -- already sealed (by a writer that found it committed)
    END IF;
    PERFORM set_config('lock_timeout', '5s', true);  -- else the backstop seals it
    PERFORM pg_advisory_xact_lock(SEALER_LOCK_KEY);
    IF (SELECT a.seq FROM core_auditevent AS a WHERE a.id = p_id) IS NOT NULL THEN
        RETURN;  -- the sealer we waited for sealed it
    END IF;
    SELECT r.sealed, r.stuck INTO sealed, stuck
      FROM antoan_audit_seal_batch(p_id, p_limit, false) AS r;
END;
$$;
""".replace("SEALER_LOCK_KEY", str(SEALER_LOCK))

# Every column but seq, prev_hash and hash must stay as it was when an event is sealed.
KEPT = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "agency_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "place_code",
    "request_id",
    "ip",
    "changed_fields",
    "extra",
)

TRIGGERS = f"""
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_delete ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE ON core_auditevent
    FOR EACH ROW
    WHEN (NOT coalesce(
        OLD.seq IS NULL AND NEW.seq IS NOT NULL
        AND length(NEW.hash) = 64 AND length(NEW.prev_hash) = 64
        AND ({", ".join(f"OLD.{c}" for c in KEPT)})
            IS NOT DISTINCT FROM ({", ".join(f"NEW.{c}" for c in KEPT)}),
        false))
    EXECUTE FUNCTION antoan_audit_append_only();
CREATE TRIGGER core_auditevent_no_delete
    BEFORE DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION antoan_audit_append_only();
"""

# Back to core/0006: one trigger for UPDATE and DELETE (the function checks the seal).
TRIGGERS_BEFORE = """
DROP TRIGGER IF EXISTS core_auditevent_no_delete ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION antoan_audit_append_only();
"""

DROP = """
DROP FUNCTION IF EXISTS antoan_audit_seal_own(bigint, integer);
DROP FUNCTION IF EXISTS antoan_audit_append(
    timestamptz, bigint, text, bigint, text, text, text, text, text, text, inet, jsonb, jsonb,
    text);
DROP FUNCTION IF EXISTS antoan_audit_seal_batch(bigint, integer, boolean);
DROP FUNCTION IF EXISTS antoan_audit_hash(core_auditevent, bigint, text);
DROP FUNCTION IF EXISTS antoan_audit_json(jsonb);
DROP FUNCTION IF EXISTS antoan_audit_float(text);
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        # Straight to the cursor without parameters: the "%" in RAISE are not placeholders.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def create_functions(apps, schema_editor):
    _run(schema_editor, FUNCTIONS)
    _run(schema_editor, TRIGGERS)


def drop_functions(apps, schema_editor):
    _run(schema_editor, TRIGGERS_BEFORE)
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_sealing"),
    ]

    operations = [
        migrations.RunPython(create_functions, drop_functions, elidable=False),
    ]
