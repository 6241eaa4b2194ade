from django.db import migrations
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """Give complaints written to or referred before this release the dates the clock reads."""
    Complaint = apps.get_model("complaints", "Complaint")
    Letter = apps.get_model("ombudsman", "Letter")
    Referral = apps.get_model("ombudsman", "Referral")
    letters = Letter.objects.filter(complaint=OuterRef("pk"))
    Complaint.objects.filter(letters__isnull=False).update(
        customer_told_at=Subquery(
            letters.order_by().values("complaint").annotate(first=Min("created_at")).values("first")[:1]
        ),
        refer_by=Subquery(letters.order_by("-letter_date", "-pk").values("refer_by")[:1]),
    )
    referrals = Referral.objects.filter(complaint=OuterRef("pk"))
    Complaint.objects.filter(referral__isnull=False).update(
        adr_case_ended_on=Subquery(
            referrals.annotate(ended=Coalesce("customer_accepted_on", "customer_rejected_on")).values("ended")[:1]
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_clock_dates"),
        ("ombudsman", "0006_sweep_failures"),
    ]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
