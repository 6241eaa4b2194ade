"""seed_demo's complaints tell stories that agree with themselves, so the reports look like a
real provider's: product, category, messages, outcome, root cause and money all fit."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from complaints import services
from complaints.management.demo_text import FOLLOW_UP_QUESTION, FOLLOW_UP_REPLY, SCENARIOS, STAFF_UPDATES
from complaints.models import Complaint, EventKind, Product, RootCause, Upheld

pytestmark = pytest.mark.django_db
NAMED_PRODUCTS = {product for product in Product if product not in (Product.BILLING_ACCOUNT, Product.OTHER)}


def pattern(phrase):
    """A story's phrase as a pattern: its words in braces stand for anything."""
    parts = re.split(r"\{\w+\}", phrase)
    return re.compile("(?i)" + ".+?".join(re.escape(part) for part in parts) + r"\Z", re.S)


def scenario_of(complaint):
    [found] = [scenario for scenario in SCENARIOS[complaint.category]
               if pattern(scenario.description).match(complaint.description)]
    return found


def test_every_complaint_follows_one_story_from_description_to_outcome():
    call_command("seed_demo", complaints=600, seed=14, stdout=open("/dev/null", "w"))  # noqa: SIM115
    no_fault = set(RootCause.objects.filter(no_fault=True).values_list("pk", flat=True))
    root_causes = dict(RootCause.objects.values_list("pk", "name"))
    checked = {"resolved": 0, "goodwill": 0, "refunds": 0}
    for complaint in Complaint.objects.prefetch_related("events"):
        scenario = scenario_of(complaint)
        assert pattern(scenario.desired_outcome).match(complaint.desired_outcome)
        if scenario.products == "meeting":
            assert complaint.product in NAMED_PRODUCTS, complaint.description
        messages = [event for event in complaint.events.all() if event.kind == EventKind.MESSAGE]
        for message in messages:
            if message.data.get("final_answer") or message.data.get("proposal") or message.data.get(
                    "deadlock_requested"):
                continue
            if message.actor_id == complaint.customer_id:
                phrases = [scenario.reply, FOLLOW_UP_REPLY]
            else:
                phrases = [scenario.question, FOLLOW_UP_QUESTION, *STAFF_UPDATES]
            assert any(pattern(phrase).match(message.body) for phrase in phrases), (complaint.description,
                                                                                     message.body)
        questions = [message.body for message in messages if pattern(scenario.question).match(message.body)]
        assert len(questions) <= 1, "a story asks its question once; later exchanges follow it up"
        if not complaint.upheld:
            assert complaint.credit_amount == complaint.refund_amount == 0
            continue
        checked["resolved"] += 1
        ending = scenario.outcomes[complaint.upheld]
        assert root_causes.get(complaint.root_cause_id) == ending.root_cause
        assert pattern(ending.summary).match(complaint.resolution_summary.split(" We are sorry.")[0].split(
            " To put this right")[0].split(" Please tell us")[0])
        # The rules the service enforces hold for every story.
        services.check_outcome(upheld=complaint.upheld, root_cause=complaint.root_cause,
                               credit_amount=complaint.credit_amount, refund_amount=complaint.refund_amount)
        assert not (complaint.root_cause_id in no_fault and complaint.upheld != Upheld.NOT_UPHELD)
        if complaint.refund_amount:
            checked["refunds"] += 1
            assert ending.given in ("refund", "refund_half"), (complaint.description, ending.summary)
        if complaint.credit_amount:
            assert ending.given in ("credit", "credit_half", "small_credit", "goodwill")
        if complaint.upheld == Upheld.NOT_UPHELD and complaint.credit_amount:
            checked["goodwill"] += 1
            assert complaint.is_goodwill and complaint.credit_amount <= Decimal("25.00")
    assert checked["resolved"] > 100 and checked["refunds"] and checked["goodwill"]


def test_no_cancellation_is_refunded_unless_money_was_taken_after_cancelling():
    call_command("seed_demo", complaints=400, seed=15, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for complaint in Complaint.objects.filter(category="cancellation", refund_amount__gt=0):
        assert re.search(r"still being charged|renewed itself", complaint.description), complaint.description
        assert complaint.upheld == Upheld.UPHELD
