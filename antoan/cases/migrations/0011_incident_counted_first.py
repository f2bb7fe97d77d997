"""Which incident counts each case's survivor, kept on the row (``Incident.counted_first``): the
case's first incident recorded with statistics consent. Existing incidents get it here, in one
UPDATE, before its partial index is built.

On PostgreSQL, the statistics of ``counted_place`` keep one entry per place (5,000; the default
keeps the 100 most common): a province's places are a list of a few hundred ids, and with the
default the planner took each for an average place, expected four times the province's
incidents, and read whole national tables instead of the province's rows
(docs/performance.md, "Dashboards' cohorts by index")."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def fill(apps, schema_editor):
    Incident = apps.get_model("cases", "Incident")
    earlier = Incident.objects.filter(
        case_id=OuterRef("case_id"), consent_statistics=True, pk__lt=OuterRef("pk")
    )
    Incident.objects.filter(consent_statistics=True).filter(~Exists(earlier)).update(
        counted_first=True
    )


def place_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE cases_incident ALTER COLUMN counted_place_id SET STATISTICS 5000"
    )
    schema_editor.execute("ANALYZE cases_incident")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE cases_incident ALTER COLUMN counted_place_id SET STATISTICS -1"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_incident_counted_place"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="counted_first",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=Q(("counted_first", True)),
                fields=["counted_place", "case"],
                name="incident_first_by_place",
            ),
        ),
        migrations.RunPython(place_statistics, default_statistics),
    ]
