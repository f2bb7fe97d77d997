"""Which incident counts each case's survivor, kept on the row (``Incident.counted_first``): the
case's first incident recorded with statistics consent. Existing incidents get it here, in one
UPDATE, before its partial index is built."""

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
    ]
