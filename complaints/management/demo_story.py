"""One demo complaint's life, told in time order, for ``seed_demo``.

Each step writes the events and fields that the matching workflow in
``complaints.services`` writes, so demo timelines look like real ones. Events are built in
memory as plain rows (see ``EVENT_COLUMNS``) so that millions can be written in bulk.

A story follows one of ``demo_text.SCENARIOS``: its questions, replies, notes, proposal,
outcome, root cause and money all belong to what the customer complained about.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import itemgetter

from complaints.management import demo_text as text
from complaints.models import CLOSED_STATUSES, Channel, EventKind, Status, Upheld
from complaints.services import describe_move

# Two events of one step (a reply and the status move it causes) are this far apart.
STEP = timedelta(seconds=1)
UPHELD_WEIGHTS = {Upheld.UPHELD: 45, Upheld.PARTLY: 30, Upheld.NOT_UPHELD: 25}
# Small credits: an upheld complaint's token of apology, or goodwill on one not upheld.
SMALL_CREDITS = tuple(Decimal(pounds) for pounds in ("5.00", "10.00", "15.00", "25.00"))
SMALL_CREDIT_SHARE = 0.4
# What each row of ``Story.event_rows`` holds, in order.
EVENT_COLUMNS = ("complaint_id", "created_at", "kind", "actor_id", "summary", "body", "visible_to_customer", "data")


class Story:
    """A complaint and its timeline, built step by step; ``cast`` holds what stories share."""

    def __init__(self, complaint, *, cast, scenario, words, agent):
        self.complaint = complaint
        self.cast = cast
        self.rng = cast.rng
        self.scenario = scenario
        self.words = {**words, "team": scenario.team}
        self.proposal = None  # (outcome, text) of the resolution on the table
        self.asked = self.answered = 0  # questions asked and answered so far
        self.customer_id = complaint.customer_id
        self.agent, self.agent_id = agent, agent.pk
        self.manager_id = cast.manager.pk
        # The timeline as (created_at, kind, actor_id, summary, body, visible, data).
        self.events = []
        self.moves = []

    def event_rows(self):
        """Return the timeline as rows of ``EVENT_COLUMNS`` (the complaint has its id by now)."""
        complaint_id = self.complaint.pk
        return [(complaint_id, *event) for event in self.events]

    def event(self, at, kind, actor_id, summary, body="", visible=True, data=None):
        self.events.append((at, kind, actor_id, summary, body, visible, data or {}))
        # The desk's queue fields, as the services keep them: the customer's actions make an
        # open complaint wait for our answer; a message or a final position answers it.
        complaint = self.complaint
        if actor_id == self.customer_id and kind not in (EventKind.FILED, EventKind.WITHDRAWN):
            complaint.customer_acted_at = at
            if complaint.status not in CLOSED_STATUSES:
                complaint.awaiting_reply_since = complaint.awaiting_reply_since or at
        elif actor_id is not None and visible and kind in (EventKind.MESSAGE, EventKind.DEADLOCK):
            complaint.awaiting_reply_since = None

    def file(self, at, logged_by=None):
        complaint = self.complaint
        self.event(
            at, EventKind.FILED, logged_by.pk if logged_by else self.customer_id,
            f"Complaint received by {Channel(complaint.channel).label.lower()}", body=complaint.description,
            data={"received_at": complaint.received_at.isoformat(),
                  "waiting_period_days": complaint.waiting_period_days},
        )

    def move(self, at, to, actor_id, reason="", data=None):
        complaint = self.complaint
        if not complaint.can_move_to(to):
            raise ValueError(f"Demo story tried to move {complaint.status} to {to}.")
        previous, complaint.status = complaint.status, to
        self.moves.append((at, to))
        if to in CLOSED_STATUSES:
            complaint.closed_at = at
            complaint.awaiting_reply_since = None
        if to == Status.ACKNOWLEDGED:
            complaint.acknowledged_at = at
        if to == Status.DEADLOCK:
            complaint.deadlock_at = at
        kind, summary = describe_move(previous, to)
        self.event(at, kind, actor_id, summary, body=reason, data={**(data or {}), "from": previous, "to": to})

    def say(self, phrases):
        """Return one of ``phrases`` (or the one phrase), with the story's words put in."""
        phrase = phrases if isinstance(phrases, str) else self.rng.choice(phrases)
        return phrase.format(**self.words)

    def outcome(self):
        """Choose how the complaint ends among those its story can have, and what it gives.

        Returns the fields ``complaints.services.outcomes._outcome`` records (its ``outcome`` dict, with the
        root cause's id), and the summary, which the final answer or proposal says.
        """
        rng, scenario, words = self.rng, self.scenario, self.words
        choices = [upheld for upheld in UPHELD_WEIGHTS if upheld in scenario.outcomes]
        upheld = rng.choices(choices, weights=[UPHELD_WEIGHTS[upheld] for upheld in choices])[0]
        ending = scenario.outcomes[upheld]
        amount = Decimal(words["amount"])
        given = {"refund": ("refund_amount", amount), "refund_half": ("refund_amount", amount / 2),
                 "credit": ("credit_amount", amount), "credit_half": ("credit_amount", amount / 2)}.get(ending.given)
        if ending.given in ("small_credit", "goodwill") and rng.random() < SMALL_CREDIT_SHARE:
            given = ("credit_amount", rng.choice(SMALL_CREDITS))
        outcome = {"upheld": upheld, "root_cause_id": self.cast.root_causes.get(ending.root_cause),
                   "apology": upheld != Upheld.NOT_UPHELD and rng.random() < 0.9,
                   "explanation": upheld == Upheld.NOT_UPHELD or rng.random() < 0.7,
                   "credit_amount": "0.00", "refund_amount": "0.00"}
        if given:
            outcome[given[0]] = f"{given[1].quantize(Decimal('0.01'))}"
        return outcome, self.say(ending.summary)

    def record_outcome(self, outcome, summary):
        """Store an outcome on the complaint, as ``complaints.services.outcomes._record_outcome`` does."""
        complaint = self.complaint
        complaint.resolution_summary = summary
        complaint.upheld = outcome["upheld"]
        complaint.root_cause_id = outcome["root_cause_id"]
        complaint.remedy_apology = outcome["apology"]
        complaint.remedy_explanation = outcome["explanation"]
        complaint.credit_amount = Decimal(outcome["credit_amount"])
        complaint.refund_amount = Decimal(outcome["refund_amount"])

    # --- the steps of a complaint's life; each takes the moment it happens -------------------

    def investigate(self, at):
        self.complaint.assigned_to_id = self.agent_id
        self.event(at, EventKind.ASSIGNED, self.manager_id, f"Assigned to {self.agent.full_name}",
                   visible=False, data={"from": None, "to": self.agent_id})
        self.move(at + STEP, Status.INVESTIGATING, self.agent_id)

    def staff_message(self, at, body):
        self.event(at, EventKind.MESSAGE, self.agent_id, "Message from our complaints team", body=body)

    def ask(self, at):
        # The story's own question first; a later exchange follows it up.
        asked = self.asked
        self.asked += 1
        self.staff_message(at, self.say(self.scenario.question if not asked else text.FOLLOW_UP_QUESTION))
        self.move(at + STEP, Status.AWAITING_CUSTOMER, self.agent_id)

    def reply(self, at):
        answered = self.answered
        self.answered += 1
        self.event(at, EventKind.MESSAGE, self.customer_id, "Message from the customer",
                   body=self.say(self.scenario.reply if not answered else text.FOLLOW_UP_REPLY))
        if self.complaint.status == Status.AWAITING_CUSTOMER:
            self.move(at + STEP, Status.INVESTIGATING, self.customer_id, "The customer replied.")

    def update(self, at):
        self.staff_message(at, self.say(text.STAFF_UPDATES))

    def note(self, at):
        self.event(at, EventKind.NOTE, self.agent_id, "Internal note", body=self.say(self.scenario.note),
                   visible=False)

    def propose(self, at):
        """Propose a resolution with its outcome, as ``services.propose_resolution`` does."""
        outcome, summary = self.outcome()
        self.proposal = (outcome, self.proposal_text(outcome, summary))
        self.move(at, Status.RESOLUTION_PROPOSED, self.agent_id)
        self.event(at + STEP, EventKind.MESSAGE, self.agent_id, "Proposed resolution", body=self.proposal[1],
                   data={"proposal": True, "outcome": outcome})

    @staticmethod
    def proposal_text(outcome, summary):
        offers = []
        if outcome["apology"]:
            offers.append("We are sorry.")
        for field, words in (("refund_amount", "refund £{} to you"), ("credit_amount", "credit your account with £{}")):
            if Decimal(outcome[field]):
                goodwill = "as a goodwill gesture, " if outcome["upheld"] == Upheld.NOT_UPHELD else ""
                offers.append(f"To put this right, {goodwill}we will {words.format(outcome[field])}.")
        return " ".join([summary, *offers, "Please tell us whether this resolves your complaint."])

    def reject(self, at):
        self.move(at, Status.INVESTIGATING, self.customer_id,
                  "The customer rejected the proposed resolution: it does not put right what went wrong.")

    def ask_for_deadlock(self, at):
        self.complaint.deadlock_requested_at = at
        self.event(at, EventKind.MESSAGE, self.customer_id, "The customer asked for a deadlock letter",
                   body="I have had enough. Please send me a deadlock letter so I can go to the ombudsman.",
                   data={"deadlock_requested": True})

    def accept(self, at):
        """Accept the proposal: its outcome is recorded, as ``services.accept_resolution`` does."""
        self.move(at, Status.RESOLVED, self.customer_id, "The customer accepted the proposed resolution.")
        outcome, body = self.proposal
        self.record_outcome(outcome, body)

    def resolve(self, at):
        """Give the final answer with its outcome, as ``services.resolve_complaint`` does."""
        complaint = self.complaint
        outcome, summary = self.outcome()
        self.move(at, Status.RESOLVED, self.agent_id, summary)
        self.record_outcome(outcome, summary)
        self.event(at + STEP, EventKind.MESSAGE, self.agent_id, "Our final answer",
                   body=self.cast.final_answer(complaint),
                   data={"final_answer": True, "upheld": complaint.upheld, "goodwill": complaint.is_goodwill})

    def withdraw(self, at):
        self.move(at, Status.WITHDRAWN, self.customer_id, self.say(text.WITHDRAWALS))

    def deadlock(self, at):
        """Declare deadlock as ``ombudsman.services.declare_deadlock`` does, less the letter.

        Historical demo complaints keep no letters; with ``adr_letter_pending`` left as the
        clock set it, the sweep writes the customer's ADR letter when it is due.
        """
        reason = self.say(self.scenario.deadlock)
        self.move(at, Status.DEADLOCK, self.manager_id, reason, data={"letter_id": None})

    def warn_deadline(self, *, warning_days, now):
        """Record the staff warning where the sweep would have given it (``warn_deadline``).

        The sweep warns once, ``warning_days`` before ADR opens, about complaints open and
        not in deadlock then. The warning emails of the past are not written.
        """
        complaint = self.complaint
        # The sweep compares instants, so the warning comes exactly so many 24 hours before
        # (in UTC: arithmetic on UK wall-clock time would be an hour out across a clock change).
        warned_at = datetime.fromtimestamp(complaint.adr_opens_at.timestamp(), UTC) - timedelta(days=warning_days)
        if not complaint.created_at <= warned_at <= now:
            return
        status = Status.RECEIVED
        for at, to in self.moves:
            if at > warned_at:
                break
            status = to
        if status in CLOSED_STATUSES or status == Status.DEADLOCK:
            return
        complaint.deadline_warning_sent_at = warned_at
        self.event(warned_at, EventKind.DEADLINE_WARNING, None,
                   f"ADR opens on {complaint.adr_deadline_date:%-d %B %Y}: agent and managers warned",
                   visible=False, data={"adr_opens_at": complaint.adr_opens_at.isoformat()})
        self.events.sort(key=itemgetter(0))

    def play(self, acknowledged, end, outcome):
        """Acknowledge, work on the complaint, and reach ``outcome`` by ``end``.

        ``outcome`` is a final state (resolved, withdrawn, deadlock), reached exactly at
        ``end``, or an open one, reached some time before it.
        """
        rng = self.rng
        self.move(acknowledged, Status.ACKNOWLEDGED, self.agent_id)
        if outcome == Status.ACKNOWLEDGED:
            return
        steps = [] if outcome == Status.WITHDRAWN and rng.random() < 0.5 else [self.investigate]
        if steps:
            for _exchange in range(rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
                steps += [self.ask, self.reply]
            if rng.random() < 0.3:
                steps.append(self.note)
            if rng.random() < 0.25:
                steps.append(self.update)
            steps += {
                Status.AWAITING_CUSTOMER: [self.ask],
                Status.RESOLUTION_PROPOSED: [self.propose],
                Status.DEADLOCK: rng.choice((
                    [self.propose, self.reject], [self.ask_for_deadlock],
                    [self.propose, self.reject, self.ask_for_deadlock],
                )),
            }.get(outcome, [])
        final = {Status.WITHDRAWN: self.withdraw, Status.DEADLOCK: self.deadlock}.get(outcome)
        if outcome == Status.RESOLVED:
            # Most complaints end with the agent's final answer; some with the customer
            # accepting a proposed resolution.
            if steps and rng.random() < 0.3:
                steps.append(self.propose)
                final = self.accept
            else:
                final = self.resolve
        # Steps fall in order within the time available, leaving room for each step's
        # second event and for the final move at ``end``.
        span = (end - acknowledged) * 0.95
        moments = sorted(rng.random() for _ in steps)
        previous = acknowledged
        for step, share in zip(steps, moments, strict=True):
            previous = max(acknowledged + span * share, previous + 2 * STEP)
            step(previous)
        if final:
            final(max(end, previous + 2 * STEP))
