"""Mark the root causes that say we found no fault: a complaint with one cannot be upheld."""

from django.db import migrations, models


def seed(apps, schema_editor):
    RootCause = apps.get_model("complaints", "RootCause")
    RootCause.objects.filter(name="No fault found").update(no_fault=True)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0012_complaint_access")]

    operations = [
        migrations.AddField(
            model_name="rootcause",
            name="no_fault",
            field=models.BooleanField(
                default=False,
                help_text="A complaint with this root cause cannot be upheld, fully or partly: that would say we "
                          "were at fault and were not. Money given on a complaint not upheld counts as goodwill.",
                verbose_name="means we found no fault",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
