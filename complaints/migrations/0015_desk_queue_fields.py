"""The desk's queue fields, filled in from each complaint's timeline."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Q, Subquery

CLOSED = ("resolved", "withdrawn")


def backfill(apps, schema_editor):
    """Set when each customer last acted, and whether an open complaint waits for our answer."""
    Complaint = apps.get_model("complaints", "Complaint")
    Event = apps.get_model("complaints", "Event")
    by_customer = Event.objects.filter(complaint=OuterRef("pk"), actor=OuterRef("customer")).exclude(kind="filed")
    Complaint.objects.filter(Exists(by_customer)).update(
        customer_acted_at=Subquery(by_customer.order_by("-created_at", "-id").values("created_at")[:1])
    )
    answered = Event.objects.filter(
        complaint=OuterRef("pk"), visible_to_customer=True, actor__isnull=False, actor__is_staff=True,
        created_at__gte=OuterRef("customer_acted_at"),
    )
    Complaint.objects.filter(customer_acted_at__isnull=False).exclude(status__in=CLOSED).exclude(
        Exists(answered)).update(awaiting_reply_since=F("customer_acted_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0014_warned_index_says_running'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='awaiting_reply_since',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='complaint',
            name='customer_acted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=Q(awaiting_reply_since__isnull=False) & ~Q(status__in=CLOSED),
                               fields=['adr_opens_at', 'id'], name='complaint_awaiting_reply'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
