"""A realistic history of complaints for ``seed_demo``: customers, complaints and timelines.

Batches are planned (ids and tracking numbers reserved), built in memory as plain rows and
written with ``bulk_rows``; on PostgreSQL each batch travels while the next one is built.
"""

import secrets
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, reset_queries, transaction
from django.template.loader import get_template
from django.utils.formats import localize
from tqdm import tqdm

import clock
from accounts.models import ADR_MAX_BUSINESS_WORKERS, CustomerType, PreferredContact, User
from complaints.management import demo_text as text
from complaints.management.bulk_rows import Loader, TableWriter
from complaints.management.demo_story import EVENT_COLUMNS, Story
from complaints.models import CLOSED_STATUSES, Category, Channel, Complaint, Event, Product, RootCause, Status
from complaints.tracking import ALPHABET, RANDOM_LENGTH, format_tracking_number
from ombudsman.models import Scheme, WaitingPeriodPolicy

HISTORY_DAYS = 183
CUSTOMER_DOMAIN = "customers.example.com"
# A new customer for most complaints; the rest come from people who complained before.
NEW_CUSTOMER_SHARE = 0.82

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
# How long from receipt until a complaint is closed: (share, shortest days, longest days).
RESOLUTION_DAYS = ((30, 0.1, 3), (35, 3, 28), (20, 28, 56), (12, 56, 120), (3, 120, 300))
WITHDRAWN_SHARE = 0.08
DEADLOCK_SHARE = 0.06
DEADLOCK_DAYS = (30, 100)
# A seat's monthly price, for stories about seats billed in error.
SEAT_PRICE = 6
# What an open complaint is doing, once it has been acknowledged.
OPEN_STATES = {Status.ACKNOWLEDGED: 10, Status.INVESTIGATING: 50, Status.AWAITING_CUSTOMER: 20,
               Status.RESOLUTION_PROPOSED: 20}
# What each generated customer's row holds; the user's other columns take their defaults.
CUSTOMER_COLUMNS = ("id", "email", "full_name", "phone", "address", "postcode", "date_joined", "customer_type",
                    "business_name", "business_workers", "preferred_contact", "password")
# What differs most between final answers: rendered as marks, put in afterwards.
ANSWER_MARKS = {name: f"\x00{name}\x00" for name in
                ("tracking_number", "resolution_summary", "credit_amount", "refund_amount")}
# Random bytes fall evenly on the 32 characters of tracking numbers (256 = 8 x 32).
TRACKING_CHARS = bytes.maketrans(bytes(range(256)), ALPHABET.encode() * 8)


class Plan(NamedTuple):
    """What a batch takes from the database before it is built: ids and tracking numbers."""

    pinned: list
    customer_ids: list
    complaint_ids: list
    numbers: list


class Batch(NamedTuple):
    statements: list
    counts: dict


def _sentence(words):
    return words[0].upper() + words[1:]


def _weighted(weights):
    return list(weights), list(weights.values())


def random_tracking_numbers(count):
    """Return ``count`` random tracking numbers, made as ``generate_tracking_number`` makes one."""
    chars = secrets.token_bytes(count * RANDOM_LENGTH).translate(TRACKING_CHARS).decode()
    return [format_tracking_number(chars[start:start + RANDOM_LENGTH])
            for start in range(0, len(chars), RANDOM_LENGTH)]


class Generator:
    """Write complaints in batches, each with its customers and timeline, in one transaction."""

    def __init__(self, *, rng, now, accounts):
        self.rng = rng
        self.now = now
        self.today = clock.uk_today(now)
        self.agents = accounts["agents"]
        self.manager = accounts["Complaint manager"]
        self.categories = _weighted(CATEGORY_WEIGHTS)
        self.channels = _weighted(CHANNEL_WEIGHTS)
        self.products = _weighted(PRODUCT_WEIGHTS)
        self.meeting_products = _weighted({product: weight for product, weight in PRODUCT_WEIGHTS.items()
                                           if product not in (Product.BILLING_ACCOUNT, Product.OTHER)})
        self.open_states = _weighted(OPEN_STATES)
        # Every day a complaint can be received on, read now: building a batch runs no queries.
        days = [self.today - timedelta(days=age) for age in range(HISTORY_DAYS + 2)]
        self.period_days = {day: WaitingPeriodPolicy.days_for(day) for day in days}
        self.root_causes = dict(RootCause.objects.filter(is_active=True).values_list("name", "pk"))
        self.scheme = Scheme.objects.provider_scheme()
        self.final_answer_template = get_template("complaints/final_answer.txt")
        self.answers = {}
        self.serial = User.objects.filter(email__endswith=f"@{CUSTOMER_DOMAIN}").count()
        self.customer_table = TableWriter(User, CUSTOMER_COLUMNS)
        # The database computes generated columns itself.
        complaint_columns = [field.attname for field in Complaint._meta.concrete_fields if not field.generated]
        self.complaint_defaults = {field.attname: field.get_default() for field in Complaint._meta.concrete_fields}
        self.complaint_table = TableWriter(Complaint, complaint_columns)
        self.complaint_row = attrgetter(*complaint_columns)
        self.event_table = TableWriter(Event, EVENT_COLUMNS)
        # The demo customers get a few complaints of their own, of different ages, to look at.
        # An owner is (customer id, whether the customer has ADR rights).
        self.pinned = []
        for role, ages in (("Customer", (95, 24, 0.2)), ("Another customer", (12,))):
            customer = accounts[role]
            if not Complaint.objects.filter(customer=customer).exists():
                self.pinned += [((customer.pk, customer.has_adr_rights), age) for age in ages]

    def pick(self, weighted):
        return self.rng.choices(*weighted)[0]

    def run(self, count, batch_size):
        totals = {"complaints": 0, "events": 0, "customers": 0}
        sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
        with tqdm(total=count, unit=" complaints", disable=None) as bar, Loader() as loader:
            plan = self.plan(sizes[0])
            batch = self.build(plan)
            for next_size in [*sizes[1:], 0]:
                # One transaction a batch. The next batch is planned before this one is sent
                # (which keeps the connection busy) and built while it travels.
                with transaction.atomic():
                    plan = self.plan(next_size, unwritten=plan.numbers) if next_size else None
                    with loader.running(batch.statements):
                        next_batch = self.build(plan) if plan else None
                for name, number in batch.counts.items():
                    totals[name] += number
                bar.update(batch.counts["complaints"])
                # With DEBUG on, Django keeps the last 9,000 queries; these are huge inserts.
                reset_queries()
                batch = next_batch
        self.analyze()
        return totals

    def analyze(self):
        """Refresh PostgreSQL's planner statistics, which a large load leaves far behind."""
        if connection.vendor != "postgresql":
            return
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (User, Complaint, Event))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")

    def plan(self, size, unwritten=()):
        """Reserve what a batch of ``size`` complaints needs from the database, and give out the pinned places."""
        pinned, self.pinned = self.pinned[:size], self.pinned[size:]
        remaining = size - len(pinned)
        new_customers = max(1, round(remaining * NEW_CUSTOMER_SHARE)) if remaining else 0
        return Plan(pinned=pinned, customer_ids=self.customer_table.new_ids(new_customers),
                    complaint_ids=self.complaint_table.new_ids(size),
                    numbers=self.tracking_numbers(size, unwritten=set(unwritten)))

    def build(self, plan):
        """Make a batch's customers, complaints and timelines, as statements that write them."""
        customers = [self.customer(customer_id) for customer_id in plan.customer_ids]
        new_owners = [(row[0], adr_rights) for row, adr_rights in customers]
        owners = plan.pinned + [(owner, None) for owner in new_owners]
        owners += [(self.rng.choice(new_owners), None) for _ in range(len(plan.complaint_ids) - len(owners))]
        stories = [self.story(owner, age, number, complaint_id) for (owner, age), number, complaint_id
                   in zip(owners, plan.numbers, plan.complaint_ids, strict=True)]
        events = [row for story in stories for row in story.event_rows()]
        statements = [self.complaint_table.statement([self.complaint_row(story.complaint) for story in stories]),
                      self.event_table.statement(events)]
        if customers:
            statements.insert(0, self.customer_table.statement([row for row, _adr_rights in customers]))
        return Batch(statements, {"complaints": len(stories), "events": len(events), "customers": len(customers)})

    def tracking_numbers(self, count, unwritten):
        """Return ``count`` new tracking numbers, unique here, in the database and among ``unwritten``."""
        numbers = set()
        while len(numbers) < count:
            fresh = list(set(random_tracking_numbers(count - len(numbers))) - numbers - unwritten)
            taken = set()
            for start in range(0, len(fresh), 900):
                taken.update(Complaint.objects.filter(tracking_number__in=fresh[start:start + 900])
                             .values_list("tracking_number", flat=True))
            numbers.update(number for number in fresh if number not in taken)
        return list(numbers)

    def customer(self, customer_id):
        """Return a new customer's row of ``CUSTOMER_COLUMNS`` and whether they have ADR rights."""
        rng = self.rng
        self.serial += 1
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        town, area, streets = rng.choice(text.TOWNS)
        postcode = (f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}"
                    f"{rng.choice(text.POSTCODE_LETTERS)}{rng.choice(text.POSTCODE_LETTERS)}")
        email = f"{first}.{last}.{self.serial}@{CUSTOMER_DOMAIN}".lower().replace("'", "")
        phone = f"07700 900{rng.randint(0, 999):03d}"
        address = f"{rng.randint(1, 240)} {rng.choice(streets)}\n{town}"
        date_joined = self.now - timedelta(days=rng.uniform(HISTORY_DAYS + 1, 2500))
        customer_type, workers, business_name = CustomerType.DOMESTIC, None, ""
        roll = rng.random()
        if roll < 0.05:  # a large business: no ADR rights
            customer_type, workers = CustomerType.BUSINESS, rng.randint(11, 2000)
        elif roll < 0.14:
            customer_type, workers = CustomerType.BUSINESS, rng.randint(1, 10)
        if customer_type == CustomerType.BUSINESS:
            business_name = f"{last} {rng.choice(text.BUSINESS_SUFFIXES)}"
        contact = PreferredContact.POST if rng.random() < 0.06 else PreferredContact.EMAIL
        # What set_unusable_password() stores, without its per-call cost.
        password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        row = (customer_id, email, f"{first} {last}", phone, address, postcode, date_joined, customer_type,
               business_name, workers, contact, password)
        # User.has_adr_rights, without building a User.
        return row, workers is None or workers <= ADR_MAX_BUSINESS_WORKERS

    def received_at(self, age_days, channel):
        """Return when a complaint of about this age arrived, at a plausible time of day."""
        rng = self.rng
        if age_days is None:
            age_days = rng.uniform(0, HISTORY_DAYS)
        day = self.today - timedelta(days=int(age_days))
        first_hour, last_hour = (7, 23) if channel == Channel.WEB else (9, 18)
        local = datetime(day.year, day.month, day.day, rng.randint(first_hour, last_hour - 1),
                         rng.randint(0, 59), rng.randint(0, 59), tzinfo=clock.UK)
        if local > self.now - timedelta(minutes=10):
            return self.now - timedelta(minutes=rng.uniform(10, 240))
        return local

    def new_complaint(self, **values):
        """Return a Complaint of these values and defaults, passed by position: a third of the cost."""
        return Complaint(*{**self.complaint_defaults, **values}.values())

    def story(self, owner, age_days, tracking_number, complaint_id):
        customer_id, adr_rights = owner
        rng = self.rng
        channel = Channel.WEB if age_days is not None else self.pick(self.channels)
        category = self.pick(self.categories)
        scenario = rng.choice(text.SCENARIOS[category])
        product = self.pick(self.meeting_products if scenario.products == "meeting" else self.products)
        received_at = self.received_at(age_days, channel)
        # Phone calls are logged during the call; emails and letters when someone reads them.
        lag = {Channel.WEB: 0, Channel.PHONE: rng.uniform(120, 1200), Channel.EMAIL: rng.uniform(1800, 72000),
               Channel.LETTER: rng.uniform(86400, 4 * 86400)}[channel]
        created_at = min(received_at + timedelta(seconds=lag), self.now - timedelta(minutes=5))
        received_at = min(received_at, created_at)
        words = self.words(product, received_at, scenario.money)
        complaint = self.new_complaint(
            id=complaint_id, tracking_number=tracking_number, customer_id=customer_id, product=product,
            category=category, channel=channel, received_at=received_at, created_at=created_at, updated_at=self.now,
            description=_sentence(scenario.description.format(**words)),
            desired_outcome=scenario.desired_outcome.format(**words),
        )
        if category == Category.BILLING_DISCREPANCY:
            complaint.statement_date = complaint.received_on - timedelta(days=rng.randint(2, 75))
        complaint.fix_clock(
            waiting_period_days=self.period_days[complaint.received_on], adr_rights=adr_rights
        )
        story = Story(complaint, cast=self, scenario=scenario, words=words, agent=rng.choice(self.agents))
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

    def final_answer(self, complaint):
        """Return the final answer's text, rendering the template once per distinct context.

        The fields of ``ANSWER_MARKS`` that are set are rendered as their marks and put in
        afterwards; the key holds everything else the template reads.
        """
        values = {name: getattr(complaint, name) for name in ANSWER_MARKS}
        marked = tuple(name for name, value in values.items() if value)
        key = (marked, complaint.received_on, complaint.upheld, complaint.remedy_apology, complaint.adr_rights,
               complaint.adr_opens_at)
        if key not in self.answers:
            for name in marked:
                setattr(complaint, name, ANSWER_MARKS[name])
            self.answers[key] = self.final_answer_template.render({"complaint": complaint, "scheme": self.scheme})
            for name in marked:
                setattr(complaint, name, values[name])
        answer = self.answers[key]
        for name in marked:
            answer = answer.replace(ANSWER_MARKS[name], localize(values[name]))
        return answer

    def pick_resolution_days(self):
        shares = [share for share, _low, _high in RESOLUTION_DAYS]
        _share, low, high = self.rng.choices(RESOLUTION_DAYS, weights=shares)[0]
        return low, high

    def words(self, product, received_at, money):
        """Return the words a story puts in its phrases; ``amount`` is the money at stake (``money``)."""
        rng = self.rng
        plan = rng.choice((12, 19, 29, 39, 49))
        charged = plan * rng.choice((1.2, 1.5, 2))
        seats = rng.randint(2, 9)
        amount = {"difference": charged - plan, "seats": seats * SEAT_PRICE, "months": plan * rng.randint(1, 3),
                  "renewal": plan * 12, "days": plan * 5 / 30}.get(money, plan)
        named = product not in (Product.BILLING_ACCOUNT, Product.OTHER)
        return {
            "product": Product(product).label if named else "my subscription",
            "date": f"{clock.uk_date(received_at) - timedelta(days=rng.randint(1, 40)):%-d %B %Y}",
            "plan": plan, "charged": f"{charged:.2f}", "amount": f"{amount:.2f}",
            "seats": seats, "minutes": rng.choice((10, 15, 20, 40)), "calls": rng.randint(3, 9),
        }
