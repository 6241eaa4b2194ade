from django.core.management.base import BaseCommand

import clock
from ombudsman import sweep


class Command(BaseCommand):
    help = "Run the clock sweep now: deadline warnings, ADR letters, retries and compliance deadlines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", type=clock.moment_argument,
            help="Sweep as if it were this moment (ISO 8601; UK time if no offset is given).",
        )

    def handle(self, *args, now=None, **options):
        record = sweep.run(now=now)
        counts = ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in record.counts.items())
        self.stdout.write(f"Swept as of {clock.uk_time(record.swept_as_of):%Y-%m-%d %H:%M:%S %Z}. {counts}.")
        for error in record.errors:
            self.stderr.write(error)
