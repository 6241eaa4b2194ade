"""The staff access log moves from the desk to the complaints, below every app that shows one.

Only Django's picture of it moves: the table (desk_complaintaccess), its rows and indexes
stay as they are. Its content type moves too, so the permission to read it, and the
managers' grant of it, carry over.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="complaints", model="complaintaccess").delete()
    ContentType.objects.filter(app_label="desk", model="complaintaccess").update(app_label="complaints")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="complaints", model="complaintaccess").update(app_label="desk")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_desk_queue_index"),
        ("desk", "0003_complaint_access"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="ComplaintAccess",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                               verbose_name="ID")),
                    ("kind", models.CharField(choices=[
                        ("complaint_page", "Complaint page"), ("attachment", "Attachment"), ("export", "Export"),
                        ("letter_pdf", "Letter PDF"), ("letter", "Letter (text and address)"),
                        ("email", "Email (whole message)"), ("referral", "Ombudsman referral"),
                        ("sar_export", "Subject access export")], max_length=20)),
                    ("at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ("complaint", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                                    related_name="+", to="complaints.complaint")),
                    ("staff", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                                related_name="+", to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    "verbose_name": "complaint access",
                    "verbose_name_plural": "complaint accesses",
                    "db_table": "desk_complaintaccess",
                    "ordering": ["-id"],
                    "indexes": [models.Index(fields=["complaint", "id"], name="desk_access_complaint"),
                                models.Index(fields=["staff", "id"], name="desk_access_staff")],
                },
            ),
        ]),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
