"""Load demo accounts and a realistic history of complaints, for a local demo or a benchmark.

Accounts are ensured by email on every run (their passwords reset to the documented demo
ones). Complaints are added only to an empty database, unless ``--complaints N`` asks for N
more. Historical complaints are written in bulk (``COPY`` on PostgreSQL): their clock is
fixed by ``Complaint.fix_clock`` and their timeline is consistent with their status, but no
email is queued for them.
"""

import random
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from accounts.two_factor import confirmed_authenticator, enrol, setup_uri
from complaints.management.demo_history import Generator
from complaints.models import Complaint

DEFAULT_COMPLAINTS = 200

DEMO_ACCOUNTS = (
    # (role, email, full name, password, group, superuser)
    ("Customer", "customer@example.com", "Casey Customer", "demo-customer-2026", None, False),
    ("Another customer", "other.customer@example.com", "Olly Other", "demo-other-2026", None, False),
    ("Support agent", "agent@example.com", "Alex Agent", "demo-agent-2026", SUPPORT_AGENTS, False),
    ("Complaint manager", "manager@example.com", "Morgan Manager", "demo-manager-2026", COMPLAINT_MANAGERS, False),
    ("Administrator", "admin@example.com", "Ada Admin", "demo-admin-2026", None, True),
)
# More agents to share the work; they cannot log in.
EXTRA_AGENTS = ("Priya Shah", "Tom Fletcher", "Niamh Byrne", "Kwame Mensah", "Ruth Lloyd")


class Command(BaseCommand):
    help = "Create the demo accounts and, on an empty database or when asked, realistic complaints."

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints", type=int, metavar="N",
            help=f"Add N complaints. Without it, {DEFAULT_COMPLAINTS} are added only if there are none yet.",
        )
        parser.add_argument("--seed", type=int, help="Seed for the random choices, to repeat a run.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Complaints written per transaction.")
        parser.add_argument("--force", action="store_true", help="Run even with PORTAL_ENV=production.")

    def handle(self, *args, complaints, seed, batch_size, force, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo data with PORTAL_ENV=production (use --force to insist).")
        if complaints is not None and complaints < 0:
            raise CommandError("--complaints must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        accounts = self.ensure_accounts()
        if complaints is None:
            complaints = 0 if Complaint.objects.exists() else DEFAULT_COMPLAINTS
            if not complaints:
                self.stdout.write("Complaints are already loaded; use --complaints N to add more.")
        if complaints:
            generator = Generator(rng=random.Random(seed), now=timezone.now(), accounts=accounts)
            started = time.monotonic()
            totals = generator.run(complaints, batch_size)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"Added {totals['complaints']:,} complaints ({totals['events']:,} timeline events, "
                f"{totals['customers']:,} new customers) in {elapsed:.1f} s "
                f"({totals['complaints'] / max(elapsed, 1e-9):,.0f} complaints/s)."
            )
        self.stdout.write("\nDemo accounts (local demo only):")
        for role, email, _name, password, _group, _superuser in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<18} {email:<28} password: {password}")
            if authenticator := accounts["authenticators"].get(role):
                self.stdout.write(f"  {'':<47} authenticator secret: {authenticator.secret}")
                self.stdout.write(f"  {'':<47} {setup_uri(authenticator)}")
        self.stdout.write("Staff pages ask for a code: add the secret (or the link) to an authenticator app.")

    @transaction.atomic
    def ensure_accounts(self):
        """Create or reset the demo accounts; return them by role, plus the agents' pool.

        Staff who can log in get a confirmed authenticator, the second factor staff pages
        ask for; a rerun keeps the one already added to an app.
        """
        accounts = {"authenticators": {}}
        for role, email, full_name, password, group, superuser in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name = full_name
            user.is_staff = bool(group) or superuser
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            if user.is_staff:
                accounts["authenticators"][role] = confirmed_authenticator(user) or enrol(user=user)
            accounts[role] = user
        agents = [accounts["Support agent"]]
        agent_group = Group.objects.get(name=SUPPORT_AGENTS)
        for full_name in EXTRA_AGENTS:
            email = f"{full_name.lower().replace(' ', '.')}@staff.example.com"
            agent, _created = User.objects.get_or_create(
                email=email, defaults={"full_name": full_name, "is_staff": True}
            )
            agent.groups.add(agent_group)
            agents.append(agent)
        accounts["agents"] = agents
        return accounts
