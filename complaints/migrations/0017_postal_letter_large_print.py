"""Postal letters record whether they were written in large print, read back from each letter's own HTML."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    # The letters' template sets an 18pt body for large print, 11pt otherwise.
    PostalLetter = apps.get_model("complaints", "PostalLetter")
    PostalLetter.objects.filter(html__contains="font-size: 18pt").update(large_print=True)


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0016_merged_duplicates"),
    ]

    operations = [
        migrations.AddField(
            model_name="postalletter",
            name="large_print",
            field=models.BooleanField(default=False, help_text="Written in large print, as the customer asked."),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
