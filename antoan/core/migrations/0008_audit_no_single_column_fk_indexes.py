"""The audit log's own indexes on user and on agency go: (user, occurred_at) and (agency,
occurred_at) serve every lookup by either, and each index costs every append.

Only the indexes are dropped. Django's AlterField would also drop and re-add both foreign keys,
and re-adding one checks every event of the log (tens of millions of rows) under a lock that
stops all audit writes; the constraints stay as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "agency": "core_auditevent_agency_id_1dfd6e99",
    "user": "core_auditevent_user_id_2b330de8",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_health_roles_and_kinds"),
        ("core", "0007_audit_seal_in_database"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.agency",
                        verbose_name="cơ quan",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người dùng",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "core_auditevent" ("{field}_id")',
                )
                for field, name in INDEXES.items()
            ],
        ),
    ]
