"""Grant a separate application role what it needs, and no more, on PostgreSQL.

The owner role (which runs migrations) runs this command; the application then connects as
``--role`` at run time. That role may read and write every table except the audit log, which it
may only read and append to. See docs/audit.md for the whole setup.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from antoan.core.models import AuditEvent

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(*, role: str, database: str, schema: str, audit_table: str) -> list[str]:
    """The GRANT/REVOKE statements, in order; safe to run again (it resets the audit table)."""
    r, db, s, audit = (quote_ident(x) for x in (role, database, schema, audit_table))
    return [
        f"GRANT CONNECT ON DATABASE {db} TO {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # The audit log: read and append, nothing else, even if granted more before; and seal
        # (set seq and the hashes of an unsealed event, once: the trigger refuses the rest).
        f"REVOKE ALL ON TABLE {s}.{audit} FROM {r}",
        f"GRANT SELECT, INSERT ON TABLE {s}.{audit} TO {r}",
        f"GRANT UPDATE (seq, prev_hash, hash) ON TABLE {s}.{audit} TO {r}",
        # Tables and sequences that later migrations create (as the role running this).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]


class Command(BaseCommand):
    help = (
        "PostgreSQL only: grant the application role CONNECT, schema USAGE, SELECT/INSERT/"
        "UPDATE/DELETE on all tables except the audit log (SELECT, INSERT, and UPDATE of the "
        "sealing columns) and sequence USAGE/SELECT. Run it as the owner role after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="The application's database role.")
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_only",
            help="Print the SQL instead of running it.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, role: str, print_only: bool, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"grant_app_role needs PostgreSQL; this database is {connection.vendor}. "
                "SQLite has no roles: there the model itself refuses to change the audit log."
            )
        if not _ROLE.match(role):
            raise CommandError(
                f"{role!r} is not a plain role name (lower-case letters, digits, underscore)."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_schema(), current_user")
            db_name, schema, current = cursor.fetchone()
            if role == current:
                raise CommandError(
                    f"{role!r} is the role running this command (the owner). The application "
                    "must connect as a different role."
                )
            statements = grant_statements(
                role=role, database=db_name, schema=schema, audit_table=AuditEvent._meta.db_table
            )
            if print_only:
                self.stdout.write(";\n".join(statements) + ";")
                return
            cursor.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"Role {role!r} does not exist. Create it first, e.g. "
                    f"CREATE ROLE {role} LOGIN PASSWORD '…'; (see docs/audit.md)."
                )
            with transaction.atomic(using=database):
                for statement in statements:
                    cursor.execute(statement)
        self.stdout.write(
            self.style.SUCCESS(
                f"Granted {role} the application's privileges on {db_name}.{schema}; "
                f"{AuditEvent._meta.db_table} is SELECT, INSERT and sealing only."
            )
        )
