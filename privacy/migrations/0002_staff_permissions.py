from django.contrib.auth.management import create_permissions
from django.db import migrations

# Names as in accounts.roles; a migration keeps its own copy so it never changes meaning.
AGENTS = "Support agents"
MANAGERS = "Complaint managers"

# Agents and managers answer subject access requests; erasures and closed accounts are
# records to read. Nobody deletes any of them.
CODENAMES = [
    "add_subjectaccessrequest", "change_subjectaccessrequest", "view_subjectaccessrequest",
    "view_sarlogentry", "view_erasure", "view_customererasure", "view_accountclosure",
]
GRANTS = {AGENTS: CODENAMES, MANAGERS: CODENAMES}


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
            *Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
