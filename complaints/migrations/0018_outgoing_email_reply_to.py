"""Outgoing emails keep the Reply-To they ask for; emails queued before asked for none."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0017_postal_letter_large_print"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="reply_to",
            field=models.EmailField(
                blank=True, editable=False, max_length=254,
                help_text="Where the customer's answer goes: the portal's mailbox when the email was queued. "
                          "Empty for staff's emails and those about no complaint.",
            ),
        ),
    ]
