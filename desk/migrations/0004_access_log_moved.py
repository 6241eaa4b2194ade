"""The access log now belongs to the complaints app (complaints 0012): forget it here, keep the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0003_complaint_access"),
        ("complaints", "0012_complaint_access"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ComplaintAccess")]),
    ]
