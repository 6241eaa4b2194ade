"""The desk's "customer told" view counts and lists from an index of its own."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0020_access_email_received'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('customer_told_at__isnull', False), models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True)), fields=['adr_opens_at', 'id'], name='complaint_told_open'),
        ),
    ]
