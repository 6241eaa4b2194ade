"""Load demo accounts and a realistic history of complaints, for a local demo or a benchmark.

Accounts are ensured by email on every run (their passwords reset to the documented demo
ones). Complaints are added only to an empty database, unless ``--complaints N`` asks for N
more. Historical complaints are written in bulk: their clock is fixed by
``Complaint.fix_clock`` and their timeline is consistent with their status, but no email is
queued for them.
"""

import random
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.template.loader import get_template
from django.utils import timezone
from tqdm import tqdm

from accounts.models import CustomerType, PreferredContact, User
from accounts.roles import COMPLAINT_MANAGERS, SUPPORT_AGENTS
from complaints.management import demo_text as text
from complaints.management.demo_story import Story
from complaints.models import CLOSED_STATUSES, UK, Category, Channel, Complaint, Event, Product, RootCause, Status
from complaints.tracking import generate_tracking_number
from ombudsman.models import Scheme, WaitingPeriodPolicy

DEFAULT_COMPLAINTS = 200
HISTORY_DAYS = 183
CUSTOMER_DOMAIN = "customers.example.com"
# A new customer for most complaints; the rest come from people who complained before.
NEW_CUSTOMER_SHARE = 0.82

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

# Weights for what complaints are about and how they arrive.
CATEGORY_WEIGHTS = {
    Category.BILLING_DISCREPANCY: 28, Category.SERVICE_FAULT: 25, Category.CANCELLATION: 14,
    Category.REFUND: 12, Category.CUSTOMER_SERVICE: 12, Category.PRIVACY: 3, Category.OTHER: 6,
}
CHANNEL_WEIGHTS = {Channel.WEB: 80, Channel.PHONE: 12, Channel.EMAIL: 6, Channel.LETTER: 2}
PRODUCT_WEIGHTS = {
    Product.GOTOMEETING: 34, Product.GOTOWEBINAR: 16, Product.GOTOMYPC: 16, Product.GOTOASSIST: 10,
    Product.GOTOTRAINING: 5, Product.BILLING_ACCOUNT: 14, Product.OTHER: 5,
}
MONEY_CATEGORIES = (Category.BILLING_DISCREPANCY, Category.CANCELLATION, Category.REFUND)
# How long from receipt until a complaint is closed: (share, shortest days, longest days).
RESOLUTION_DAYS = ((30, 0.1, 3), (35, 3, 28), (20, 28, 56), (12, 56, 120), (3, 120, 300))
WITHDRAWN_SHARE = 0.08
DEADLOCK_SHARE = 0.06
DEADLOCK_DAYS = (30, 100)
# Root causes (as the managers' list names them) likely for each category.
ROOT_CAUSES = {
    Category.BILLING_DISCREPANCY: ("Billing error", "Billing error", "Process not followed", "No fault found"),
    Category.SERVICE_FAULT: ("Service outage or fault", "Service outage or fault", "Product limitation",
                             "Third-party supplier", "No fault found"),
    Category.CANCELLATION: ("Process not followed", "Poor communication"),
    Category.REFUND: ("Process not followed", "Billing error"),
    Category.CUSTOMER_SERVICE: ("Poor communication", "Process not followed"),
    Category.PRIVACY: ("Process not followed", "Third-party supplier"),
    Category.OTHER: ("Poor communication", "Product limitation", "No fault found"),
}
# What an open complaint is doing, once it has been acknowledged.
OPEN_STATES = {Status.ACKNOWLEDGED: 10, Status.INVESTIGATING: 50, Status.AWAITING_CUSTOMER: 20,
               Status.RESOLUTION_PROPOSED: 20}


def _sentence(words):
    return words[0].upper() + words[1:]


def _weighted(weights):
    return list(weights), list(weights.values())


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

    @transaction.atomic
    def ensure_accounts(self):
        """Create or reset the demo accounts; return them by role, plus the agents' pool."""
        accounts = {}
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


class Generator:
    """Write complaints in batches, each with its customers and timeline, in one transaction."""

    def __init__(self, *, rng, now, accounts):
        self.rng = rng
        self.now = now
        self.today = timezone.localtime(now, UK).date()
        self.agents = accounts["agents"]
        self.manager = accounts["Complaint manager"]
        self.categories = _weighted(CATEGORY_WEIGHTS)
        self.channels = _weighted(CHANNEL_WEIGHTS)
        self.products = _weighted(PRODUCT_WEIGHTS)
        self.open_states = _weighted(OPEN_STATES)
        self.period_days = {}
        self.root_causes = RootCause.objects.filter(is_active=True).in_bulk(field_name="name")
        self.scheme = Scheme.objects.provider_scheme()
        self.final_answer_template = get_template("complaints/final_answer.txt")
        self.serial = User.objects.filter(email__endswith=f"@{CUSTOMER_DOMAIN}").count()
        # The demo customers get a few complaints of their own, of different ages, to look at.
        self.pinned = []
        for role, ages in (("Customer", (95, 24, 0.2)), ("Another customer", (12,))):
            if not Complaint.objects.filter(customer=accounts[role]).exists():
                self.pinned += [(accounts[role], age) for age in ages]

    def pick(self, weighted):
        return self.rng.choices(*weighted)[0]

    def run(self, count, batch_size):
        totals = {"complaints": 0, "events": 0, "customers": 0}
        with tqdm(total=count, unit=" complaints", disable=None) as bar:
            while totals["complaints"] < count:
                size = min(batch_size, count - totals["complaints"])
                with transaction.atomic():
                    customers, events = self.write_batch(size)
                totals["complaints"] += size
                totals["events"] += events
                totals["customers"] += customers
                bar.update(size)
                # With DEBUG on, Django keeps the last 9,000 queries; these are huge inserts.
                reset_queries()
        return totals

    def write_batch(self, size):
        owners, self.pinned = self.pinned[:size], self.pinned[size:]
        remaining = size - len(owners)
        new_customers = User.objects.bulk_create(
            [self.customer() for _ in range(max(1, round(remaining * NEW_CUSTOMER_SHARE)) if remaining else 0)]
        )
        owners += [(customer, None) for customer in new_customers]
        owners += [(self.rng.choice(new_customers), None) for _ in range(size - len(owners))]
        numbers = self.tracking_numbers(size)
        stories = [self.story(customer, age, number) for (customer, age), number in zip(owners, numbers, strict=True)]
        Complaint.objects.bulk_create([story.complaint for story in stories])
        events = [event for story in stories for event in story.events_to_save()]
        Event.objects.bulk_create(events, batch_size=2000)
        return len(new_customers), len(events)

    def tracking_numbers(self, count):
        """Return ``count`` new tracking numbers, unique here and against the database."""
        numbers = set()
        while len(numbers) < count:
            fresh = list({generate_tracking_number() for _ in range(count - len(numbers))} - numbers)
            taken = set()
            for start in range(0, len(fresh), 900):
                taken.update(Complaint.objects.filter(tracking_number__in=fresh[start:start + 900])
                             .values_list("tracking_number", flat=True))
            numbers.update(number for number in fresh if number not in taken)
        return list(numbers)

    def customer(self):
        rng = self.rng
        self.serial += 1
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        town, area, streets = rng.choice(text.TOWNS)
        postcode = (f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}"
                    f"{rng.choice(text.POSTCODE_LETTERS)}{rng.choice(text.POSTCODE_LETTERS)}")
        user = User(
            email=f"{first}.{last}.{self.serial}@{CUSTOMER_DOMAIN}".lower().replace("'", ""),
            full_name=f"{first} {last}", phone=f"07700 900{rng.randint(0, 999):03d}",
            address=f"{rng.randint(1, 240)} {rng.choice(streets)}\n{town}", postcode=postcode,
            date_joined=self.now - timedelta(days=rng.uniform(HISTORY_DAYS + 1, 2500)),
        )
        roll = rng.random()
        if roll < 0.05:  # a large business: no ADR rights
            user.customer_type, user.business_workers = CustomerType.BUSINESS, rng.randint(11, 2000)
        elif roll < 0.14:
            user.customer_type, user.business_workers = CustomerType.BUSINESS, rng.randint(1, 10)
        if user.customer_type == CustomerType.BUSINESS:
            user.business_name = f"{last} {rng.choice(text.BUSINESS_SUFFIXES)}"
        if rng.random() < 0.06:
            user.preferred_contact = PreferredContact.POST
        # What set_unusable_password() stores, without its per-call cost.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        return user

    def waiting_period_days(self, received_on):
        if received_on not in self.period_days:
            self.period_days[received_on] = WaitingPeriodPolicy.days_for(received_on)
        return self.period_days[received_on]

    def received_at(self, age_days, channel):
        """Return when a complaint of about this age arrived, at a plausible time of day."""
        rng = self.rng
        if age_days is None:
            age_days = rng.uniform(0, HISTORY_DAYS)
        day = self.today - timedelta(days=int(age_days))
        first_hour, last_hour = (7, 23) if channel == Channel.WEB else (9, 18)
        local = datetime(day.year, day.month, day.day, rng.randint(first_hour, last_hour - 1),
                         rng.randint(0, 59), rng.randint(0, 59), tzinfo=UK)
        if local > self.now - timedelta(minutes=10):
            return self.now - timedelta(minutes=rng.uniform(10, 240))
        return local

    def story(self, customer, age_days, tracking_number):
        rng = self.rng
        channel = Channel.WEB if age_days is not None else self.pick(self.channels)
        category = self.pick(self.categories)
        product = self.pick(self.products)
        if category in MONEY_CATEGORIES and rng.random() < 0.35:
            product = Product.BILLING_ACCOUNT
        received_at = self.received_at(age_days, channel)
        # Phone calls are logged during the call; emails and letters when someone reads them.
        lag = {Channel.WEB: 0, Channel.PHONE: rng.uniform(120, 1200), Channel.EMAIL: rng.uniform(1800, 72000),
               Channel.LETTER: rng.uniform(86400, 4 * 86400)}[channel]
        created_at = min(received_at + timedelta(seconds=lag), self.now - timedelta(minutes=5))
        received_at = min(received_at, created_at)
        words = self.words(product, received_at)
        complaint = Complaint(
            tracking_number=tracking_number, customer=customer, product=product, category=category, channel=channel,
            received_at=received_at, created_at=created_at,
            description=_sentence(rng.choice(text.DESCRIPTIONS[category]).format(**words)),
            desired_outcome=rng.choice(text.DESIRED_OUTCOMES[category]),
        )
        if category == Category.BILLING_DISCREPANCY:
            complaint.statement_date = complaint.received_on - timedelta(days=rng.randint(2, 75))
        complaint.fix_clock(
            waiting_period_days=self.waiting_period_days(complaint.received_on), adr_rights=customer.has_adr_rights
        )
        story = Story(complaint, cast=self, words=words, agent=rng.choice(self.agents))
        story.file(created_at, logged_by=None if channel == Channel.WEB else story.agent)
        self.live(story)
        story.warn_deadline(warning_days=settings.ADR_WARNING_DAYS, now=self.now)
        return story

    def live(self, story):
        """Play a complaint's life from receipt up to now, ending in a state its age allows."""
        rng, complaint = self.rng, story.complaint
        received = complaint.received_at
        closes_after = timedelta(days=rng.uniform(*self.pick_resolution_days()))
        deadlock_after = timedelta(days=rng.uniform(*DEADLOCK_DAYS)) if rng.random() < DEADLOCK_SHARE else None
        ack_delay = timedelta(hours=rng.uniform(0.1, 20 if complaint.channel == Channel.WEB else 4))
        settled_by = self.now - timedelta(hours=1)
        if deadlock_after and received + deadlock_after < settled_by:
            end, outcome = received + deadlock_after, Status.DEADLOCK
        elif received + closes_after < settled_by:
            end = received + closes_after
            outcome = Status.WITHDRAWN if rng.random() < WITHDRAWN_SHARE else Status.RESOLVED
        else:
            end, outcome = self.now, self.pick(self.open_states)
            if outcome == Status.ACKNOWLEDGED and self.now - received > timedelta(days=7):
                outcome = Status.INVESTIGATING
        end = max(end, complaint.created_at + timedelta(hours=1))
        if end > settled_by and outcome in (Status.DEADLOCK, Status.WITHDRAWN, Status.RESOLVED):
            end, outcome = self.now, Status.INVESTIGATING
        end = min(end, self.now)
        if outcome in CLOSED_STATUSES or outcome == Status.DEADLOCK:
            ack_delay = min(ack_delay, (end - complaint.created_at) / 4)
        acknowledged = complaint.created_at + ack_delay
        if acknowledged >= self.now - timedelta(minutes=1):
            return  # still waiting to be acknowledged
        story.play(acknowledged, end, outcome)

    def root_cause(self, category):
        names = ROOT_CAUSES[category]
        return self.root_causes.get(self.rng.choice(names))

    def final_answer(self, complaint):
        return self.final_answer_template.render({"complaint": complaint, "scheme": self.scheme})

    def pick_resolution_days(self):
        shares = [share for share, _low, _high in RESOLUTION_DAYS]
        _share, low, high = self.rng.choices(RESOLUTION_DAYS, weights=shares)[0]
        return low, high

    def words(self, product, received_at):
        rng = self.rng
        plan = rng.choice((12, 19, 29, 39, 49))
        named = product not in (Product.BILLING_ACCOUNT, Product.OTHER)
        return {
            "product": Product(product).label if named else "my subscription",
            "date": f"{timezone.localtime(received_at, UK) - timedelta(days=rng.randint(1, 40)):%-d %B %Y}",
            "plan": plan, "amount": f"{plan * rng.choice((1.2, 2, 3, 12)):.2f}",
            "seats": rng.randint(2, 9), "minutes": rng.choice((10, 15, 20, 40)), "calls": rng.randint(3, 9),
            "team": rng.choice(text.TEAMS),
        }
