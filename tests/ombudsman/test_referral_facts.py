"""A referral's recorded facts: the scheme's decision and the customer's answer are entered
once, never dated in the future, and corrected only by a manager with a reason (an audit event).
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from complaints.models import Event, EventKind
from ombudsman import services
from ombudsman.models import Decision, Referral
from tests.ombudsman.conftest import uk

TODAY = date(2026, 12, 10)
TOMORROW = date(2026, 12, 11)


@pytest.fixture(autouse=True)
def _on_10_december_2026():
    with time_machine.travel(uk(2026, 12, 10, 12), tick=False):
        yield


def decide(referral, actor, **overrides):
    fields = dict(decision=Decision.UPHELD, decided_on=date(2026, 12, 1), apology=True, action="",
                  award_amount=Decimal("100.00"))
    fields.update(overrides)
    return services.record_decision(referral=referral, actor=actor, **fields)


@pytest.fixture
def accepted(referral, agent):
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    referral.refresh_from_db()
    return referral


def stored(referral):
    return Referral.objects.get(pk=referral.pk)


def staff_events(referral):
    return Event.objects.filter(complaint=referral.complaint, kind=EventKind.OMBUDSMAN, visible_to_customer=False)


# --- recorded once, never in the future ------------------------------------------------------


def test_a_decision_is_recorded_once(referral, agent):
    decide(referral, agent)

    with pytest.raises(ValidationError, match="decision is already recorded"):
        decide(Referral.objects.get(pk=referral.pk), agent, award_amount=Decimal("0.00"))

    assert stored(referral).award_amount == Decimal("100.00")


def test_the_customers_acceptance_and_rejection_are_recorded_once(referral, other_customer, agent):
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))

    with pytest.raises(ValidationError, match="acceptance is already recorded"):
        services.record_customer_acceptance(referral=stored(referral), actor=agent, accepted_on=TODAY)
    with pytest.raises(ValidationError, match="cannot also turn it down"):
        services.record_customer_rejection(referral=stored(referral), actor=agent, rejected_on=TODAY)
    assert (stored(referral).customer_accepted_on, stored(referral).compliance_due_on) == (
        date(2026, 12, 4), date(2027, 1, 1))


def test_a_rejection_is_recorded_once(referral, agent):
    decide(referral, agent)
    services.record_customer_rejection(referral=referral, actor=agent, rejected_on=date(2026, 12, 4))

    with pytest.raises(ValidationError, match="rejection is already recorded"):
        services.record_customer_rejection(referral=stored(referral), actor=agent, rejected_on=TODAY)


def accept_today(referral, agent):
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=TODAY)


@pytest.mark.parametrize("prepare, record, field", [
    (None, lambda r, a, day: services.record_scheme_acceptance(referral=r, actor=a, accepted_on=day), "accepted_on"),
    (None, lambda r, a, day: decide(r, a, decided_on=day), "decision_on"),
    (decide, lambda r, a, day: services.record_customer_acceptance(referral=r, actor=a, accepted_on=day),
     "customer_accepted_on"),
    (decide, lambda r, a, day: services.record_customer_rejection(referral=r, actor=a, rejected_on=day),
     "customer_rejected_on"),
    (accept_today, lambda r, a, day: services.record_compliance(referral=r, actor=a, complied_on=day),
     "complied_on"),
])
def test_no_step_is_dated_in_the_future(referral, agent, prepare, record, field):
    if prepare:
        prepare(referral, agent)

    with pytest.raises(ValidationError) as excinfo:
        record(stored(referral), agent, TOMORROW)
    assert "cannot be in the future" in " ".join(excinfo.value.message_dict[field])
    assert getattr(stored(referral), field) is None

    record(stored(referral), agent, TODAY)  # today is fine
    assert getattr(stored(referral), field) == TODAY


# --- the Referral admin ------------------------------------------------------------------------


def change_url(referral):
    return reverse("admin:ombudsman_referral_change", args=[referral.pk])


def fact_url(referral, fact):
    return reverse("admin:ombudsman_referral_fact", args=[referral.pk, fact])


def test_in_the_admin_a_referrals_page_is_read_only_and_offers_only_the_facts_still_to_record(client, agent,
                                                                                               accepted):
    client.force_login(agent)

    page = client.get(change_url(accepted))
    assertNotContains(page, 'name="award_amount"')
    assertNotContains(page, 'name="customer_accepted_on"')
    assertContains(page, fact_url(accepted, "compliance"))
    for fact in ("decision", "customer-acceptance", "customer-rejection", "correct-decision"):
        assertNotContains(page, fact_url(accepted, fact))
    response = client.post(change_url(accepted), {"decision": "upheld", "decision_on": "2026-12-01",
                                                  "award_amount": "0.00", "customer_accepted_on": "2031-01-01"})
    assert response.status_code == 403
    # A recorded fact's form is refused, with a message, and changes nothing.
    refused = client.post(fact_url(accepted, "decision"), {"decision": "not_upheld", "decision_on": "2026-12-01",
                                                           "award_amount": "0.00"}, follow=True)
    assertContains(refused, "is not possible on this referral now")
    referral = stored(accepted)
    assert referral.award_amount == Decimal("100.00")
    assert referral.customer_accepted_on == date(2026, 12, 4)
    assert referral.compliance_due_on == date(2027, 1, 1)


def test_the_admin_refuses_a_date_in_the_future_with_a_message(client, agent, referral):
    client.force_login(agent)

    response = client.post(fact_url(referral, "decision"), {"decision": "upheld", "decision_on": TOMORROW.isoformat(),
                                                             "award_amount": "0.00"})

    assertContains(response, "The decision date cannot be in the future.")
    assert stored(referral).decision == ""


# --- a manager's corrections -------------------------------------------------------------------


def correct_decision(referral, actor, reason="The scheme sent a corrected decision.", **overrides):
    fields = dict(decision=Decision.UPHELD, decided_on=date(2026, 12, 1), apology=True, action="",
                  award_amount=Decimal("250.00"))
    fields.update(overrides)
    return services.correct_decision(referral=referral, actor=actor, reason=reason, **fields)


def test_a_manager_corrects_a_decision_with_a_reason_kept_for_staff(accepted, manager):
    corrected = correct_decision(accepted, manager)

    assert corrected.award_amount == Decimal("250.00")
    event = staff_events(accepted).get()
    assert (event.actor, event.body) == (manager, "The scheme sent a corrected decision.")
    assert event.summary == "The scheme's decision was corrected: money award (GBP) £100.00 → £250.00"
    assert event.data["previous"] == {"award_amount": "100.00"}
    assert event.data["new"] == {"award_amount": "250.00"}
    assert event.data["reason"] == "The scheme sent a corrected decision."


def test_a_decision_corrected_to_not_upheld_leaves_nothing_to_comply_with(accepted, manager):
    corrected = correct_decision(accepted, manager, decision=Decision.NOT_UPHELD, apology=False,
                                 award_amount=Decimal("0"))

    assert corrected.compliance_due_on is None


def test_a_manager_corrects_the_customers_acceptance_and_the_deadline_follows(accepted, manager):
    Referral.objects.filter(pk=accepted.pk).update(compliance_reminder_sent_at=uk(2026, 12, 9, 9))

    corrected = services.correct_customer_acceptance(referral=accepted, actor=manager, accepted_on=date(2026, 12, 8),
                                                     reason="The customer's email was dated 8 December.")

    assert corrected.customer_accepted_on == date(2026, 12, 8)
    assert corrected.compliance_due_on == date(2027, 1, 5)
    assert corrected.compliance_reminder_sent_at is None  # a reminder comes for the new deadline
    assert corrected.complaint.adr_case_ended_on == date(2026, 12, 8)
    event = staff_events(accepted).get()
    assert event.data["previous"] == {"customer_accepted_on": "2026-12-04", "compliance_due_on": "2027-01-01"}
    assert event.data["new"] == {"customer_accepted_on": "2026-12-08", "compliance_due_on": "2027-01-05"}


def test_corrections_are_for_managers_with_a_reason_and_never_in_the_future(accepted, agent, manager, referral):
    with pytest.raises(PermissionDenied):
        correct_decision(accepted, agent)
    with pytest.raises(PermissionDenied):
        services.correct_customer_acceptance(referral=accepted, actor=agent, accepted_on=TODAY, reason="Typo.")
    with pytest.raises(ValidationError, match="Say why"):
        correct_decision(accepted, manager, reason=" ")
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.correct_customer_acceptance(referral=accepted, actor=manager, accepted_on=date(2031, 1, 1),
                                             reason="The customer says so.")
    with pytest.raises(ValidationError, match="cannot be in the future"):
        correct_decision(accepted, manager, decided_on=TOMORROW)

    referral = stored(accepted)
    assert (referral.award_amount, referral.customer_accepted_on) == (Decimal("100.00"), date(2026, 12, 4))
    assert not staff_events(accepted).exists()


def test_nothing_to_correct_before_it_is_recorded(referral, manager):
    with pytest.raises(ValidationError, match="No scheme's decision is recorded yet"):
        correct_decision(referral, manager)


def correct_url(referral, fact):
    return fact_url(referral, f"correct-{fact}")


def test_managers_correct_in_the_admin_and_agents_cannot(client, agent, manager, accepted):
    client.force_login(agent)
    assertNotContains(client.get(change_url(accepted)), correct_url(accepted, "decision"))
    assert client.get(correct_url(accepted, "decision")).status_code == 403
    assert client.post(correct_url(accepted, "acceptance"), {"customer_accepted_on": "2026-12-08",
                                                             "reason": "Typo."}).status_code == 403

    client.force_login(manager)
    page = client.get(change_url(accepted))
    assertContains(page, correct_url(accepted, "decision"))
    assertContains(page, correct_url(accepted, "acceptance"))
    form = client.get(correct_url(accepted, "acceptance"))
    assertContains(form, 'value="2026-12-04"')
    response = client.post(correct_url(accepted, "acceptance"), {"customer_accepted_on": "2026-12-08",
                                                                 "reason": "The email was dated 8 December."})

    assert response.status_code == 302 and response.url == change_url(accepted)
    assert stored(accepted).compliance_due_on == date(2027, 1, 5)
    assert staff_events(accepted).get().actor == manager


def test_the_correction_form_shows_a_refusal_and_keeps_the_reason(client, manager, accepted):
    client.force_login(manager)

    response = client.post(correct_url(accepted, "decision"), {
        "decision": "upheld", "decision_on": TOMORROW.isoformat(), "award_amount": "0.00",
        "reason": "The scheme's letter says so.",
    })

    assertContains(response, "The decision date cannot be in the future.")
    assertContains(response, "The scheme&#x27;s letter says so.")
    assert stored(accepted).award_amount == Decimal("100.00")
