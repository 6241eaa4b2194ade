from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The agents' list joins complaints to their customers to search and filter. On PostgreSQL
# these indexes let such a list read the few matching customers first instead of walking
# every open complaint: trigram indexes on exactly the expressions Django's icontains
# searches (UPPER(column) LIKE '%term%'), and the (few) vulnerable customers who consented.
INDEXES = {
    "desk_customer_email_trgm": "USING gin (UPPER(email::text) gin_trgm_ops)",
    "desk_customer_name_trgm": "USING gin (UPPER(full_name::text) gin_trgm_ops)",
    "desk_customer_vulnerable": "(id) WHERE vulnerable AND support_consent_at IS NOT NULL",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("accounts", "User")._meta.db_table)
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {expression}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_staff_permissions"), ("accounts", "0002_staff_groups")]
    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
