"""The clock's two forms agree with each other and with the rules (issue 12, "One clock").

Hypothesis builds complaint histories through the real services, moving time with
time-machine: complaints received at any moment (around the UK's clock changes and UK
midnight too) from customers with and without ADR rights, filed on the day or logged later
by phone; then, at later moments, resolved, proposed and answered, withdrawn, reopened, put
into deadlock, swept (the end-of-waiting-period letter), their date received corrected to an
earlier one, referred to the scheme and decided, while waiting-period policies are added.

After every step, at that moment and at one still to come (any later moment, or a complaint's
edge: a microsecond before, at or after ADR opens, the end of the last day to refer), and at
the end at every complaint's receipt and edges and at moments before and after, for every
complaint in the database:

- the function and the database say the same: ``clock.state`` equals the
  ``state_expression`` annotation, the complaint is in exactly one ``state_q`` and it is
  that state, and ``clock.may_refer`` equals membership of ``may_refer_q``;
- at moments from the latest step on (when everything in the history has happened), they
  say what ``../shared/rules.md`` says, written out here in plain terms, not read from the
  clock module: the states as staff read them, and the customer's right to refer;
- ADR opens at 00:00 UK time on day N of the policy in force the day the complaint was
  received, and never later than it did before (a correction may only bring it earlier, or
  is refused).

A service that refuses a step (``ValidationError``) changes nothing, and the history goes on.
Each example runs in a savepoint that is rolled back, so it starts from the migrations' rows.
The same examples run every time, so CI never fails on a chance find nobody can reproduce;
``HYPOTHESIS_EXPLORE=1`` searches with fresh random ones.
"""

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.utils import timezone
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import clock
from accounts.models import CustomerType, PreferredContact
from clock import ClockState
from complaints import services
from complaints.models import Channel, Complaint, Status, Upheld
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Decision, Letter, Referral, WaitingPeriodPolicy
from tests.conftest import file_complaint, make_customer

# The same examples on every run; HYPOTHESIS_EXPLORE=1 searches with fresh random ones.
HISTORIES = settings(max_examples=50, deadline=None, database=None,
                     derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- the rules' calendar, kept here on purpose: the test reads the rules on its own ------

LONDON = ZoneInfo("Europe/London")
MICROSECOND = timedelta(microseconds=1)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
CODE_OF_PRACTICE_DAYS = 56  # 8 weeks, where no policy says otherwise
MOST_WORKERS_WITH_ADR_RIGHTS = 10  # a business of 10 or fewer workers has the right to ADR


def uk_day(moment):
    return moment.astimezone(LONDON).date()


def uk_midnight(day):
    return datetime.combine(day, time(0), tzinfo=LONDON)


def shown(moment):
    """A moment as people read it, in UK time with its offset, and in UTC."""
    if moment is None:
        return "None"
    return f"{moment.astimezone(LONDON):%a %d %b %Y %H:%M:%S.%f %Z} ({moment.astimezone(UTC):%H:%M:%S.%f} UTC)"


def last_sunday(year, month):
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


# The clocks change at 01:00 UTC on the last Sundays of March and October.
CLOCK_CHANGES = [datetime.combine(last_sunday(year, month), time(1), tzinfo=UTC)
                 for year in (2025, 2026, 2027) for month in (3, 10)]
EARLIEST, LATEST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)

MAY_REFER = "may refer"


def union_all(querysets):
    first, *others = querysets
    return first.union(*others, all=True)


# --- strategies --------------------------------------------------------------------------


def spans(shortest, longest):
    return st.integers(shortest // MICROSECOND, longest // MICROSECOND).map(lambda n: n * MICROSECOND)


EDGE = st.sampled_from([timedelta(0), -MICROSECOND, MICROSECOND])
RECEIPT = st.one_of(
    # 00:30 to 02:30 UK time on the Sundays the clocks change (an hour that repeats or never is).
    st.builds(lambda change, offset: change + offset, st.sampled_from(CLOCK_CHANGES),
              st.one_of(EDGE, spans(-2 * HOUR, 2 * HOUR))),
    # Around UK midnight.
    st.builds(lambda day, offset: uk_midnight(day) + offset, st.dates(EARLIEST.date(), LATEST.date()),
              st.one_of(EDGE, spans(-2 * HOUR, 2 * HOUR))),
    # Weeks before the clocks change, so that the waiting period spans the change.
    st.builds(lambda change, before: change - before, st.sampled_from(CLOCK_CHANGES), spans(30 * DAY, 60 * DAY)),
    # Any moment.
    st.builds(lambda offset: EARLIEST + offset, spans(timedelta(0), LATEST - EARLIEST)),
)
STEPS = ["file", "file", "resolve", "withdraw", "reopen", "propose", "answer proposal", "deadlock",
         "sweep", "sweep", "correct date received", "correct date received", "correct date received",
         "refer", "refer", "scheme", "scheme", "policy"]
# Policies the provider added before the first complaint: (days, first UK day relative to its receipt).
# Mostly 6 weeks (after the default 8, the change that can move a corrected complaint's ADR
# later), and often from a day shortly before the first complaint's receipt.
EARLIER_POLICIES = st.lists(st.tuples(st.sampled_from([42, 42, 56]),
                                      st.one_of(st.integers(-14, 0), st.integers(1, 40))), min_size=1, max_size=2)


@dataclass
class Tracked:
    """What the test knows of a complaint from the steps it took, not from the clock."""

    rights: bool
    first_adr_opens_at: datetime
    adr_opens_at: datetime
    closed: tuple | None = None  # (the status that closed it, when)


class History:
    def __init__(self, data, traveller, people):
        self.data, self.traveller, self.people, self.agent = data, traveller, people, people["agent"]
        self.tracked = {}
        self.log = []
        self.doing = "file"
        # The policies in force, as the test knows them (the migrations' rows, and those added).
        self.policies = dict(WaitingPeriodPolicy.objects.values_list("effective_from", "days"))

    # --- telling what happened ---------------------------------------------------------

    def say(self, text, outcome="done"):
        """Log a step (printed with a failing example) and count its outcome (--hypothesis-show-statistics)."""
        line = f"{shown(timezone.now())}: {text}"
        self.log.append(line)
        note(line)
        event(f"{self.doing}: {outcome}")

    def report(self, complaint, moment, what):
        c = complaint
        return "\n".join([
            f"Complaint #{c.pk} at {shown(moment)}: {what}",
            f"  status={c.status} adr_rights={c.adr_rights} waiting_period_days={c.waiting_period_days}",
            f"  received_at={shown(c.received_at)} adr_opens_at={shown(c.adr_opens_at)}",
            f"  closed_at={shown(c.closed_at)} customer_told_at={shown(c.customer_told_at)} "
            f"refer_by={c.refer_by} adr_case_ended_on={c.adr_case_ended_on}",
            f"  letters: {list(Letter.objects.filter(complaint=c).values_list('kind', 'letter_date', 'refer_by'))}",
            "  the whole history:", *(f"    {line}" for line in self.log),
        ])

    # --- drawing --------------------------------------------------------------------------

    def draw(self, strategy, label):
        return self.data.draw(strategy, label=label)

    def pick(self, label, fits):
        """Draw one of the complaints a step applies to, or None if there is none."""
        candidates = [c.pk for c in Complaint.objects.order_by("pk") if fits(c)]
        if not candidates:
            return None
        return Complaint.objects.get(pk=self.draw(st.sampled_from(candidates), label))

    def earlier_moment(self, before, label):
        """Draw a moment before ``before``: a while before, a UK midnight, a clock change, a policy's start."""
        midnights = [uk_midnight(uk_day(before) - days * DAY) for days in range(0, 60)]
        changes = [change for change in CLOCK_CHANGES if before - 120 * DAY < change < before + 2 * HOUR]
        # Recent policy changes that shortened the period: a correction to just before one of
        # them lengthens the complaint's period, which must never move its ADR later.
        policy_starts = [uk_midnight(start) for start in self.shortening_policy_starts(before)]
        options = [spans(MICROSECOND, 70 * DAY).map(lambda ago: before - ago),
                   st.builds(lambda midnight, offset: midnight + offset, st.sampled_from(midnights), EDGE)]
        if changes:
            options.append(st.builds(lambda change, offset: change + offset, st.sampled_from(changes),
                                     st.one_of(EDGE, spans(-2 * HOUR, 2 * HOUR))))
        if policy_starts:  # more likely than the others
            options += 3 * [st.builds(lambda start, ago: start - ago, st.sampled_from(policy_starts),
                                      st.one_of(st.just(MICROSECOND), spans(MICROSECOND, 3 * DAY)))]
        moment = self.draw(st.one_of(options), label)
        return moment if moment < before else before - MICROSECOND

    def shortening_policy_starts(self, before):
        """The starts, in the 20 days up to ``before``, of policies shorter than the one before them."""
        return [start for start in self.policies if uk_day(before) - 20 * DAY < start <= uk_day(before)
                and self.period_for(start - DAY) > self.policies[start]]

    # --- time ---------------------------------------------------------------------------

    def advance(self):
        now = timezone.now()
        how = self.draw(st.sampled_from(["minutes", "days", "weeks", "to when ADR opens", "to UK midnight",
                                         "to a clock change"]), "time passes")
        target = now
        if how == "minutes":
            target = now + self.draw(spans(timedelta(0), 6 * HOUR), "by")
        elif how == "days":
            target = now + self.draw(spans(DAY, 20 * DAY), "by")
        elif how == "weeks":
            target = now + self.draw(spans(3 * 7 * DAY, 10 * 7 * DAY), "by")
        elif how == "to when ADR opens":
            coming = sorted({t.adr_opens_at for t in self.tracked.values() if t.adr_opens_at > now})
            if coming:
                target = self.draw(st.sampled_from(coming), "ADR opens") + self.draw(
                    st.one_of(EDGE, spans(-3 * HOUR, 3 * HOUR)), "give or take")
        elif how == "to UK midnight":
            target = uk_midnight(uk_day(now) + self.draw(st.integers(1, 3), "days on") * DAY) + self.draw(EDGE, "edge")
        else:
            coming = [change for change in CLOCK_CHANGES if change > now]
            if coming:
                target = coming[0] + self.draw(st.one_of(EDGE, spans(-2 * HOUR, 2 * HOUR)), "give or take")
        if target > now:
            self.traveller.move_to(target)

    # --- the steps, through the real services --------------------------------------------

    def period_for(self, day):
        """The waiting period of the policy in force on a UK date (the rules, read here)."""
        started = [start for start in self.policies if start <= day]
        return self.policies[max(started)] if started else CODE_OF_PRACTICE_DAYS

    def file(self):
        now = timezone.now()
        who = self.draw(st.sampled_from(["domestic", "small business", "large business"]), "customer")
        customer = self.people[who]
        if self.draw(st.booleans(), "logged later by phone"):
            received_at = self.earlier_moment(now + MICROSECOND, "first complained")
            complaint = file_complaint(customer, received_at=received_at, channel=Channel.PHONE,
                                       logged_by=self.agent, backdate_reason="The customer first complained by phone.")
        else:
            received_at = now
            complaint = file_complaint(customer)
        rights = customer.customer_type == CustomerType.DOMESTIC or (
            customer.business_workers is not None and customer.business_workers <= MOST_WORKERS_WITH_ADR_RIGHTS)
        day = uk_day(received_at)
        opens = uk_midnight(day + self.period_for(day) * DAY)
        self.tracked[complaint.pk] = Tracked(rights=rights, first_adr_opens_at=complaint.adr_opens_at,
                                             adr_opens_at=complaint.adr_opens_at)
        self.say(f"#{complaint.pk} filed for a {who} customer, received {shown(received_at)}, "
                 f"ADR opens {shown(complaint.adr_opens_at)}")
        assert complaint.adr_rights == rights, self.report(complaint, now, f"ADR rights {complaint.adr_rights}")
        assert complaint.adr_opens_at == opens, self.report(
            complaint, now, f"ADR opens {shown(complaint.adr_opens_at)}; the rules say {shown(opens)} "
            f"(UK day {day} + {self.period_for(day)} days)")

    def resolve(self):
        complaint = self.pick("resolve", lambda c: c.can_move_to(Status.RESOLVED))
        if complaint:
            upheld = self.draw(st.sampled_from(Upheld.values), "upheld")
            services.resolve_complaint(complaint=complaint, agent=self.agent, summary="Our final answer.",
                                       upheld=upheld)
            self.tracked[complaint.pk].closed = (Status.RESOLVED, timezone.now())
            self.say(f"#{complaint.pk} resolved (final answer) from {complaint.status}")

    def withdraw(self):
        complaint = self.pick("withdraw", lambda c: c.can_move_to(Status.WITHDRAWN))
        if complaint:
            services.withdraw_complaint(complaint=complaint, customer=complaint.customer, reason="Sorted it myself.")
            self.tracked[complaint.pk].closed = (Status.WITHDRAWN, timezone.now())
            self.say(f"#{complaint.pk} withdrawn from {complaint.status}")

    def reopen(self):
        complaint = self.pick("reopen", lambda c: c.status in (Status.RESOLVED, Status.WITHDRAWN))
        if complaint:
            services.reopen_complaint(complaint=complaint, actor=self.agent, reason="The customer is still unhappy.")
            self.tracked[complaint.pk].closed = None
            self.say(f"#{complaint.pk} reopened from {complaint.status}")

    def propose(self):
        complaint = self.pick("propose", lambda c: c.can_move_to(Status.RESOLUTION_PROPOSED))
        if complaint:
            services.propose_resolution(complaint=complaint, agent=self.agent, proposal="A month's refund.",
                                        upheld=Upheld.UPHELD, root_cause=None, apology=True, explanation=False,
                                        credit_amount=0, refund_amount=0)
            self.say(f"#{complaint.pk} resolution proposed")

    def answer_proposal(self):
        """The customer answers a proposed resolution (with none on the table, one is proposed)."""
        complaint = self.pick("answer proposal", lambda c: c.status == Status.RESOLUTION_PROPOSED)
        if complaint is None:
            self.doing = "propose"
            return self.propose()
        if self.draw(st.booleans(), "customer accepts"):
            services.accept_resolution(complaint=complaint, customer=complaint.customer)
            self.tracked[complaint.pk].closed = (Status.RESOLVED, timezone.now())
            self.say(f"#{complaint.pk} proposal accepted: resolved")
        else:
            services.reject_resolution(complaint=complaint, customer=complaint.customer, reason="Not enough.")
            self.say(f"#{complaint.pk} proposal rejected")

    def deadlock(self):
        # Again after a reopen too: the complaint keeps its first deadlock letter.
        complaint = self.pick("deadlock", lambda c: c.can_move_to(Status.DEADLOCK))
        if complaint:
            letter = adr_services.declare_deadlock(complaint=complaint, actor=self.agent,
                                                   reason="We have given our final position.")
            self.say(f"#{complaint.pk} deadlock from {complaint.status}, "
                     f"{'a letter' if letter else 'no letter'}")

    def sweep(self):
        now = timezone.now()
        record = sweep.run(now=now)
        self.say(f"sweep: {record.counts}")
        # The sweep's job: no complaint it could write to stays in breach.
        for complaint in Complaint.objects.order_by("pk"):
            tracked = self.tracked[complaint.pk]
            if tracked.rights and tracked.closed is None and complaint.adr_opens_at <= now:
                assert Letter.objects.filter(complaint=complaint).exists(), self.report(
                    complaint, now, "open, ADR rights, period ended, and no letter after the sweep")

    def correct_date_received(self):
        """Correct the date received to an earlier one: often one received soon after a policy shortened the period."""
        after_a_change = self.draw(st.booleans(), "one received soon after a shorter policy began")
        complaint = (after_a_change and self.pick("correct date received",
                                                  lambda c: self.shortening_policy_starts(c.received_at))
                     or self.pick("correct date received", lambda c: True))
        before = complaint.received_at, complaint.adr_opens_at
        received_at = self.earlier_moment(complaint.received_at, "first complained")
        if any(uk_day(received_at) < start for start in self.shortening_policy_starts(complaint.received_at)):
            event("correct date received: across the start of a shorter policy")
        try:
            services.change_received_date(complaint=complaint, received_at=received_at, actor=self.agent,
                                          reason="The customer first complained earlier, by phone.")
        except ValidationError as refusal:
            self.say(f"#{complaint.pk} date received {shown(received_at)} refused: {refusal.messages}", "refused")
            complaint.refresh_from_db()
            assert (complaint.received_at, complaint.adr_opens_at) == before, self.report(
                complaint, timezone.now(), "a refused correction changed the clock")
            return
        complaint.refresh_from_db()
        self.say(f"#{complaint.pk} date received corrected from {shown(before[0])} to {shown(received_at)}: "
                 f"ADR opens {shown(complaint.adr_opens_at)} (was {shown(before[1])})")

    def refer(self):
        """Record a referral: mostly of a complaint the rules let the customer refer now, else of any."""
        letters, finished = self.facts()
        now = timezone.now()
        unreferred = [c for c in Complaint.objects.order_by("pk") if not Referral.objects.filter(complaint=c).exists()]
        allowed = [c for c in unreferred if self.rules_may_refer(c, now, letters.get(c.pk, []), c.pk in finished)]
        candidates = allowed if allowed and self.draw(st.integers(0, 3), "one the customer may refer") else unreferred
        if not candidates:
            return
        complaint = self.draw(st.sampled_from(candidates), "refer")
        referred_on = uk_day(now) - self.draw(st.integers(0, 14), "days ago") * DAY
        try:
            adr_services.record_referral(complaint=complaint, actor=self.agent, referred_on=referred_on)
        except ValidationError as refusal:
            self.say(f"#{complaint.pk} referral on {referred_on} refused: {refusal.messages}", "refused")
        else:
            self.say(f"#{complaint.pk} referred on {referred_on}")

    def scheme(self):
        """The scheme decides on a referral, and the customer answers its decision (now, or at a later step)."""
        referral = self.pick_referral()
        if referral is None:  # with no case at the scheme, a referral is recorded
            self.doing = "refer"
            return self.refer()
        today = uk_day(timezone.now())
        try:
            if not referral.decision:
                decision = self.draw(st.sampled_from(Decision.values), "decision")
                if self.draw(st.booleans(), "the scheme accepts the case first"):
                    adr_services.record_scheme_acceptance(referral=referral, actor=self.agent, accepted_on=today)
                adr_services.record_decision(referral=referral, actor=self.agent, decision=decision, decided_on=today)
                self.say(f"#{referral.complaint_id} the scheme decided: {decision}", "decided")
                if not self.draw(st.booleans(), "the customer answers at once"):
                    return
            if self.draw(st.booleans(), "the customer accepts the decision"):
                adr_services.record_customer_acceptance(referral=referral, actor=self.agent, accepted_on=today)
                self.say(f"#{referral.complaint_id} the customer accepted the decision", "the customer answered")
            else:
                adr_services.record_customer_rejection(referral=referral, actor=self.agent, rejected_on=today)
                self.say(f"#{referral.complaint_id} the customer turned the decision down", "the customer answered")
        except ValidationError as refusal:
            self.say(f"#{referral.complaint_id} the scheme's step refused: {refusal.messages}", "refused")

    def pick_referral(self):
        waiting = list(Referral.objects.filter(customer_accepted_on__isnull=True, customer_rejected_on__isnull=True)
                       .order_by("pk").values_list("pk", flat=True))
        if not waiting:
            return None
        return Referral.objects.select_related("complaint").get(pk=self.draw(st.sampled_from(waiting), "referral"))

    def policy(self):
        self.add_policy(uk_day(timezone.now()) + self.draw(st.integers(1, 70), "days from today") * DAY,
                        self.draw(st.sampled_from([42, 56]), "days"))

    def add_policy(self, start, days):
        """Add a waiting-period policy (directly: its admin and service are being changed elsewhere)."""
        if start in self.policies:
            return
        WaitingPeriodPolicy.objects.create(effective_from=start, days=days, note="Ofcom's review")
        self.policies[start] = days
        self.say(f"policy: {days} days for complaints received from {start}")

    def step(self, name):
        self.doing = name
        try:
            getattr(self, name.replace(" ", "_"))()
        except ValidationError as refusal:  # a service refused: nothing changed, the history goes on
            self.say(f"{name} refused: {refusal.messages}", outcome="refused")

    # --- the checks -------------------------------------------------------------------

    def check_adr_never_later(self):
        for complaint in Complaint.objects.order_by("pk"):
            tracked, opens = self.tracked[complaint.pk], complaint.adr_opens_at
            assert opens <= tracked.adr_opens_at, self.report(
                complaint, timezone.now(), f"ADR opens later than it did: {shown(opens)}, "
                f"was {shown(tracked.adr_opens_at)} (first {shown(tracked.first_adr_opens_at)})")
            assert opens <= tracked.first_adr_opens_at
            assert opens.astimezone(LONDON).timetz() == time(0, tzinfo=LONDON), self.report(
                complaint, timezone.now(), f"ADR opens at {shown(opens)}, not at UK midnight")
            tracked.adr_opens_at = opens

    def rules_state(self, complaint, moment, letters):
        """The clock's state as rules.md tells staff to read it."""
        tracked = self.tracked[complaint.pk]
        period_ended = moment >= complaint.adr_opens_at
        if not tracked.rights:
            if tracked.closed:
                return ClockState.CLOSED
            return ClockState.PAST_PERIOD if period_ended else ClockState.RUNNING
        if letters:
            return ClockState.CUSTOMER_TOLD
        if tracked.closed:
            _, closed_at = tracked.closed
            return ClockState.CLOSED_IN_TIME if closed_at < complaint.adr_opens_at else ClockState.CLOSED_LATE
        return ClockState.BREACH if period_ended else ClockState.RUNNING

    def rules_may_refer(self, complaint, moment, letters, case_finished):
        """The customer's right to refer as rules.md gives it."""
        tracked = self.tracked[complaint.pk]
        if not tracked.rights:
            return False
        period_ended = moment >= complaint.adr_opens_at
        if not (period_ended or any(letter["created_at"] <= moment for letter in letters)):
            return False
        if tracked.closed and tracked.closed[0] == Status.WITHDRAWN:
            return False
        if letters:
            latest = max(letters, key=lambda letter: (letter["letter_date"], letter["pk"]))
            if uk_day(moment) > latest["refer_by"]:
                return False
        return not case_finished

    def facts(self):
        """Each complaint's letters, and the complaints whose ADR case finished (the customer answered)."""
        letters = {}
        for letter in Letter.objects.values("pk", "complaint_id", "created_at", "letter_date", "refer_by"):
            letters.setdefault(letter["complaint_id"], []).append(letter)
        finished = set(Referral.objects.filter(
            Q(customer_accepted_on__isnull=False) | Q(customer_rejected_on__isnull=False)
        ).values_list("complaint_id", flat=True))
        return letters, finished

    def check(self, moments, *, rules):
        """At each moment, for every complaint: the function and the database agree, and
        (``rules``, for moments after the whole history) both say what the rules say."""
        complaints = list(Complaint.objects.order_by("pk"))
        letters, finished = self.facts()
        for moment in sorted(set(moments)):
            annotated = dict(Complaint.objects.annotate(state_now=clock.state_expression(moment))
                             .values_list("pk", "state_now"))
            # Who is in each state's filter, and in the right's: each its own filter, in one query.
            filters = {state: clock.state_q(state, moment) for state in ClockState}
            filters[MAY_REFER] = clock.may_refer_q(moment)
            members = {name: set() for name in filters}
            for pk, name in union_all(Complaint.objects.filter(q).order_by().annotate(filtered_by=Value(name))
                                      .values_list("pk", "filtered_by") for name, q in filters.items()):
                members[name].add(pk)
            referable = members.pop(MAY_REFER)
            for complaint in complaints:
                one = clock.state(complaint, moment)
                assert annotated[complaint.pk] == one, self.report(
                    complaint, moment, f"clock.state says {one!r}, state_expression says {annotated[complaint.pk]!r}")
                in_states = [state for state in ClockState if complaint.pk in members[state]]
                assert in_states == [one], self.report(
                    complaint, moment, f"clock.state says {one!r}, but state_q puts it in {in_states}")
                may = clock.may_refer(complaint, moment)
                assert may == (complaint.pk in referable), self.report(
                    complaint, moment, f"clock.may_refer says {may}, may_refer_q says {complaint.pk in referable}")
                if not rules:
                    continue
                own = letters.get(complaint.pk, [])
                expected = self.rules_state(complaint, moment, own)
                assert one == expected, self.report(
                    complaint, moment, f"clock.state says {one!r}, the rules say {expected!r}")
                expected = self.rules_may_refer(complaint, moment, own, complaint.pk in finished)
                assert may == expected, self.report(
                    complaint, moment, f"clock.may_refer says {may}, the rules say {expected}")

    def edges(self, complaint):
        """A microsecond before, at and after ADR opens; the end of the last day to refer and a microsecond before."""
        opens = complaint.adr_opens_at
        moments = [opens - MICROSECOND, opens, opens + MICROSECOND]
        if complaint.refer_by:
            ends = uk_midnight(complaint.refer_by + DAY)
            moments += [ends - MICROSECOND, ends]
        return moments

    def check_from_now(self):
        """Check now, and at a moment still to come: any later one, or an edge of a complaint's."""
        now = timezone.now()
        coming = [now + self.draw(spans(timedelta(0), 120 * DAY), "a later moment")]
        for complaint in Complaint.objects.order_by("pk"):
            coming += [moment for moment in self.edges(complaint) if moment >= now]
        self.check([now, self.draw(st.sampled_from(coming), "then at")], rules=True)

    def check_at_the_end(self):
        """Check at every complaint's receipt and edges, and at moments around the end, before it too."""
        now = timezone.now()
        drawn = self.draw(st.lists(spans(-400 * DAY, 450 * DAY), min_size=3, max_size=6), "moments around the end")
        moments = [now, *(now + offset for offset in drawn)]
        for complaint in Complaint.objects.order_by("pk"):
            moments += [complaint.received_at, *self.edges(complaint)]
        self.check([moment for moment in moments if moment < now], rules=False)
        self.check([moment for moment in moments if moment >= now], rules=True)


@pytest.fixture
def people(customer, large_business_customer, agent):
    """A domestic customer and a business of 10 workers (ADR rights), a business of 250 (none), an agent."""
    small_business = make_customer(
        "owner@smallco.example.com", "Sam Small", customer_type=CustomerType.BUSINESS, business_name="Small Co",
        business_workers=MOST_WORKERS_WITH_ADR_RIGHTS, preferred_contact=PreferredContact.POST,
        address="2 Mill Lane\nYork", postcode="YO1 7HH",
    )
    return {"domestic": customer, "small business": small_business, "large business": large_business_customer,
            "agent": agent}


@HISTORIES
@given(data=st.data())
def test_the_function_and_the_queryset_agree_and_follow_the_rules(people, data):
    start = data.draw(RECEIPT, label="first complaint received")
    earlier_policies = data.draw(EARLIER_POLICIES, label="policies added before")
    with transaction.atomic(), time_machine.travel(start - 100 * DAY, tick=False) as traveller:
        history = History(data, traveller, people)
        history.doing = "policy"
        for days, first_day in earlier_policies:
            history.add_policy(uk_day(start) + first_day * DAY, days)
        traveller.move_to(start)
        history.doing = "file"
        history.file()
        history.check_adr_never_later()
        history.check_from_now()
        for name in data.draw(st.lists(st.sampled_from(STEPS), min_size=3, max_size=12), label="steps"):
            history.advance()
            history.step(name)
            history.check_adr_never_later()
            history.check_from_now()
        history.check_at_the_end()
        transaction.set_rollback(True)
