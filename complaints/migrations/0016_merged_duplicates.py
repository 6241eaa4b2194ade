"""Merged duplicates: the merged status (a closed one: the partial indexes on open complaints and
the closing constraint are rebuilt to leave it out), the pointer to the survivor, the merged
timeline event, and the status in the deadlocks index, which the reports now filter by."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0015_desk_queue_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='complaint',
            name='complaint_closed_at_when_closed',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_adr_letter_due',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_warning_due',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_agent_deadline',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_deadlock_at',
        ),
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
            name='complaint_warned_deadline',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_awaiting_reply',
        ),
        migrations.AddField(
            model_name='complaint',
            name='merged_into',
            field=models.ForeignKey(blank=True, editable=False, help_text='The complaint this duplicate was merged into.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged', to='complaints.complaint'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='status',
            field=models.CharField(choices=[('received', 'Received'), ('acknowledged', 'Acknowledged'), ('investigating', 'Investigating'), ('awaiting_customer', 'Waiting for your reply'), ('resolution_proposed', 'Resolution proposed'), ('deadlock', 'Deadlock'), ('resolved', 'Resolved'), ('withdrawn', 'Withdrawn'), ('merged', 'Merged')], default='received', max_length=20),
        ),
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('filed', 'Complaint received'), ('acknowledged', 'Acknowledged'), ('status_changed', 'Status changed'), ('reopened', 'Reopened'), ('withdrawn', 'Withdrawn'), ('message', 'Message'), ('note', 'Internal note'), ('attachment', 'Attachment added'), ('assigned', 'Assigned'), ('received_date_changed', 'Date received changed'), ('email_sent', 'Email sent'), ('email_failed', 'Email failed'), ('deadline_warning', 'Deadline warning'), ('letter', 'Letter'), ('deadlock', 'Deadlock'), ('ombudsman', 'Ombudsman'), ('erased', 'Personal data erased'), ('merged', 'Merged')], max_length=30),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('deadlock_at__isnull', False)), fields=['deadlock_at'], include=('product', 'category', 'channel', 'assigned_to', 'status'), name='complaint_deadlock_at'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), fields=['adr_opens_at', 'id'], include=('product', 'category', 'channel', 'assigned_to', 'received_at'), name='complaint_open_deadline'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(models.ExpressionWrapper(models.Q(('customer_told_at__isnull', False), ('adr_rights', False), _connector='OR'), output_field=models.BooleanField()), models.F('adr_opens_at'), models.F('id'), condition=models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), name='complaint_open_queue'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), fields=['assigned_to', 'adr_opens_at'], name='complaint_agent_deadline'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('awaiting_reply_since__isnull', False), models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True)), fields=['adr_opens_at', 'id'], name='complaint_awaiting_reply'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('deadline_warning_sent_at__isnull', False), models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True)), fields=['adr_opens_at'], include=('adr_rights', 'customer_told_at'), name='complaint_warned_deadline'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('adr_letter_pending', True), models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True)), fields=['adr_opens_at'], name='complaint_adr_letter_due'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('deadline_warning_sent_at__isnull', True), models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True)), fields=['adr_opens_at'], name='complaint_warning_due'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', False), ('status__in', ('resolved', 'withdrawn', 'merged'))), models.Q(models.Q(('status__in', ('resolved', 'withdrawn', 'merged')), _negated=True), ('closed_at__isnull', True)), _connector='OR'), name='complaint_closed_at_when_closed'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('merged_into__isnull', False), ('status', 'merged')), models.Q(models.Q(('status', 'merged'), _negated=True), ('merged_into__isnull', True)), _connector='OR'), name='complaint_merged_into_when_merged'),
        ),
    ]
