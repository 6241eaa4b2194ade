import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# As in accounts.roles; a migration keeps its own copy so it never changes meaning.
MANAGERS = "Complaint managers"


def grant(apps, schema_editor):
    # Only managers read who viewed what; nobody changes or deletes the log (see desk.admin).
    app_config = apps.get_app_config("desk")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MANAGERS)
    group.permissions.add(Permission.objects.get(content_type__app_label="desk", codename="view_complaintaccess"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="desk", codename="view_complaintaccess").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_digest"),
        ("desk", "0002_customer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("complaint_page", "Complaint page"), ("attachment", "Attachment"),
                                                   ("export", "Export"), ("letter_pdf", "Letter PDF")],
                                          max_length=20)),
                ("at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("complaint", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                                related_name="+", to="complaints.complaint")),
                ("staff", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "complaint access",
                "verbose_name_plural": "complaint accesses",
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["complaint", "id"], name="desk_access_complaint"),
                            models.Index(fields=["staff", "id"], name="desk_access_staff")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
