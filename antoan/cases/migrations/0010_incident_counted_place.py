"""Where the statistics count each incident, kept on the row (``Incident.counted_place``): the
incident's commune, else its survivor's, else its case agency's place. Existing incidents get
it here, in one UPDATE."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Incident = apps.get_model("cases", "Incident")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    Incident.objects.update(
        counted_place=Coalesce(
            F("commune"),
            Subquery(case.values("survivor__commune")[:1]),
            Subquery(case.values("agency__place")[:1]),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_search_token"),
        ("places", "__first__"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="counted_place",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.place",
                verbose_name="nơi tính vào thống kê",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=Q(("consent_statistics", True)),
                fields=["counted_place", "first_reported_on"],
                name="incident_counted_by_place",
            ),
        ),
    ]
