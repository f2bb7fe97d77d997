"""The cases' facts the statistics count by, kept on a row per case (``CaseFacts``,
``antoan.cases.facts``). Every existing case gets its row here: one INSERT, then one UPDATE
working every fact out for all of them (on PostgreSQL with the memory to hash each table once
rather than probe it per case: docs/performance.md, "Dashboards: the cases' facts kept").

The facts' definitions are frozen here as they were when the table was made; ``facts.py`` keeps
them from then on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q

BASIC = ["health", "psychosocial", "legal", "safety", "shelter", "social_assistance"]
PROTECTIVE = ["legal", "health"]


def _non_empty(field):
    return ~Q(**{field: []}) & Q(**{f"{field}__isnull": False})


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseFacts = apps.get_model("cases", "CaseFacts")
    Incident = apps.get_model("cases", "Incident")
    Assessment = apps.get_model("cases", "Assessment")
    Measure = apps.get_model("cases", "ProtectionMeasure")
    Delivery = apps.get_model("referrals", "ServiceDelivery")
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(CaseFacts._meta.db_table)} (case_id)"  # noqa: S608
        f" SELECT id FROM {quote(Case._meta.db_table)}"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL work_mem = '256MB'")

    def any_of(model, condition=Q()):  # noqa: B008
        return Exists(model.objects.filter(condition, case_id=OuterRef("case_id")))

    granted = Q(decision="granted")
    needs = Q(Exists(Case.objects.filter(_non_empty("needs"), pk=OuterRef("case_id")))) | Q(
        any_of(Assessment, _non_empty("needs"))
    )
    CaseFacts.objects.update(
        served=any_of(Delivery),
        basic_service=any_of(Delivery, Q(service__in=BASIC)),
        legal_or_health_service=any_of(Delivery, Q(service__in=PROTECTIVE)),
        measure_granted=any_of(Measure, granted),
        preventive_granted=any_of(Measure, granted & Q(type="preventive")),
        education_granted=any_of(Measure, granted & Q(type="education")),
        needs_help=models.Case(
            models.When(needs, then=True), default=False, output_field=models.BooleanField()
        ),
        dv=any_of(Incident, Q(consent_statistics=True) & _non_empty("dv_forms")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_incident_counted_first"),
        ("referrals", "0006_notification_contact_wait"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseFacts",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="facts",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("served", models.BooleanField(db_default=False, default=False)),
                ("basic_service", models.BooleanField(db_default=False, default=False)),
                ("legal_or_health_service", models.BooleanField(db_default=False, default=False)),
                ("measure_granted", models.BooleanField(db_default=False, default=False)),
                ("preventive_granted", models.BooleanField(db_default=False, default=False)),
                ("education_granted", models.BooleanField(db_default=False, default=False)),
                ("needs_help", models.BooleanField(db_default=False, default=False)),
                ("dv", models.BooleanField(db_default=False, default=False)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
