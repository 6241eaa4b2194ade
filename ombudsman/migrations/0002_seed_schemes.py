from datetime import date
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    Scheme = apps.get_model("ombudsman", "Scheme")
    WaitingPeriodPolicy = apps.get_model("ombudsman", "WaitingPeriodPolicy")
    # Exactly the details the Code of Practice gives; the provider updates them in the admin.
    Scheme.objects.update_or_create(
        slug="otelo",
        defaults=dict(
            name="Office of the Telecommunications Ombudsman (Otelo)",
            short_name="Otelo",
            operator="Ombudsman Services",
            website="www.ombudsman-services.org",
            phone="0845 050 1614",
            fax="01925 430059",
            postal_address="PO Box 730\nWarrington\nWA4 6WU",
            is_active=True,
            is_provider_scheme=True,
            referral_window_months=12,
            compliance_deadline=28,
            compliance_day_count="calendar",
            award_limit=Decimal("10000.00"),
        ),
    )
    # The other Ofcom-approved scheme: inactive until the provider fills in its details.
    Scheme.objects.update_or_create(
        slug="cisas",
        defaults=dict(
            name="Communications and Internet Services Adjudication Scheme (CISAS)",
            short_name="CISAS",
            operator="CEDR",
            website="www.cedr.com/cisas",
            is_active=False,
            is_provider_scheme=False,
            referral_window_months=12,
            compliance_deadline=20,
            compliance_day_count="working",
            award_limit=Decimal("10000.00"),
        ),
    )
    WaitingPeriodPolicy.objects.get_or_create(
        effective_from=date(2000, 1, 1),
        defaults={"days": 56, "note": "8 weeks, as the Code of Practice says."},
    )


class Migration(migrations.Migration):
    dependencies = [("ombudsman", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
