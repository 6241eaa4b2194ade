"""Say whether a scheme's names take "the" in a sentence, so pages, emails and letters read right."""

from django.db import migrations, models


def seed(apps, schema_editor):
    # Both seeded schemes' full names need "the"; their short names (Otelo, CISAS) do not.
    Scheme = apps.get_model("ombudsman", "Scheme")
    Scheme.objects.filter(slug__in=["otelo", "cisas"]).update(name_takes_the=True, short_name_takes_the=False)


class Migration(migrations.Migration):
    dependencies = [("ombudsman", "0008_waiting_period_days_1_to_56")]

    operations = [
        migrations.AddField(
            model_name="scheme",
            name="name_takes_the",
            field=models.BooleanField(
                default=True,
                help_text="Ticked: “take your complaint to the Office of the Telecommunications Ombudsman (Otelo)”. "
                          "Untick for a name that reads without it, such as “Ombudsman Services”.",
                verbose_name="say “the” before the name",
            ),
        ),
        migrations.AddField(
            model_name="scheme",
            name="short_name_takes_the",
            field=models.BooleanField(
                default=False,
                help_text="Unticked: “take your complaint to Otelo”. Tick for a short name such as “Communications "
                          "Ombudsman”, which reads “the Communications Ombudsman”.",
                verbose_name="say “the” before the short name",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
