from django.db import migrations

ROOT_CAUSES = (
    "Billing error",
    "Service outage or fault",
    "Poor communication",
    "Process not followed",
    "Third-party supplier",
    "Product limitation",
    "No fault found",
)


def seed(apps, schema_editor):
    RootCause = apps.get_model("complaints", "RootCause")
    for name in ROOT_CAUSES:
        RootCause.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_resolution_outcome")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
