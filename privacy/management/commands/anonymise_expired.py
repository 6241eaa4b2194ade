from django.core.management.base import BaseCommand

import clock
from privacy import retention


class Command(BaseCommand):
    help = "Run the retention job now: anonymise complaints past the retention period, then their customers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", type=clock.moment_argument,
            help="Run as if it were this moment (ISO 8601; UK time if no offset is given).",
        )

    def handle(self, *args, now=None, **options):
        result = retention.anonymise_expired(now=now)
        self.stdout.write(
            f"Anonymised {result['complaints']} complaint(s) and {result['customers']} customer(s); "
            f"deleted {result['unconfirmed_sign_ups']} sign-up(s) never confirmed; "
            f"deleted {result['files_deleted']} leftover file(s)."
        )
        for error in result["errors"]:
            self.stderr.write(error)
