"""The desk's queue reads a page of any view from the open complaints' indexes alone: they carry its columns."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0018_outgoing_email_reply_to'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_open_deadline',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_open_queue',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_agent_deadline',
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), fields=['adr_opens_at', 'id'], include=('product', 'category', 'channel', 'assigned_to', 'received_at', 'status', 'adr_rights', 'customer_told_at', 'awaiting_reply_since'), name='complaint_open_deadline'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), fields=['assigned_to', 'adr_opens_at'], include=('id', 'received_at', 'status', 'adr_rights', 'customer_told_at', 'awaiting_reply_since'), name='complaint_agent_deadline'),
        ),
    ]
