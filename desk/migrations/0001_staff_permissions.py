from django.contrib.auth.management import create_permissions
from django.db import migrations

# Names as in accounts.roles; a migration keeps its own copy so it never changes meaning.
AGENTS = "Support agents"
MANAGERS = "Complaint managers"

# The complaints app's permissions (the ombudsman app grants its own). Nobody may change or
# delete a complaint, an event or an email through a form: the desk's buttons call services.
AGENT_CODENAMES = [
    "add_complaint", "change_complaint", "view_complaint",
    "view_event", "view_attachment", "view_outgoingemail", "view_rootcause",
    "change_postalletter", "view_postalletter",
]
GRANTS = {
    AGENTS: AGENT_CODENAMES,
    MANAGERS: [*AGENT_CODENAMES, "reassign_complaint", "add_rootcause", "change_rootcause"],
}


def grant(apps, schema_editor):
    # On a fresh database the permissions do not exist until post_migrate; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="complaints", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="complaints", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_desk"),
        ("ombudsman", "0004_staff_permissions"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
