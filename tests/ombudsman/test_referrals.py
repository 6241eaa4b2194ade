"""Referrals to the scheme: decision, remedies, compliance deadlines and the sweep's reminders."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from clock import add_working_days
from complaints.models import EmailKind, Event, EventKind, OutgoingEmail
from ombudsman import services, sweep
from ombudsman.models import Decision, Scheme
from tests.ombudsman.conftest import decide, uk


def compliance_emails():
    return OutgoingEmail.objects.filter(kind=EmailKind.OTHER, subject__contains="complying")


@time_machine.travel(uk(2027, 1, 10, 12), tick=False)  # every step's date has passed
def test_every_step_writes_a_timeline_event(referral, agent):
    services.record_scheme_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 11, 9),
                                      case_reference="OS-77")
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    services.record_compliance(referral=referral, actor=agent, complied_on=date(2026, 12, 20))
    summaries = list(Event.objects.filter(complaint=referral.complaint, kind=EventKind.OMBUDSMAN)
                     .values_list("summary", flat=True))
    assert summaries == [
        "Referred to Otelo",
        "Otelo accepted the case",
        "Otelo decided: partly upheld",
        "The customer accepted the decision; we must comply by 1 January 2027",
        "We complied with the scheme's decision",
    ]
    referral.refresh_from_db()
    assert referral.case_reference == "OS-77"
    assert referral.stage == "Decision complied with"


def test_an_award_above_the_schemes_limit_is_refused(referral, agent):
    with pytest.raises(ValidationError, match="at most £10,000.00"):
        decide(referral, agent, award_amount=Decimal("10000.01"))
    decide(referral, agent, award_amount=Decimal("10000.00"))


def test_steps_cannot_go_back_in_time(referral, agent):
    with pytest.raises(ValidationError, match="decision date cannot be before the referral date"):
        decide(referral, agent, decided_on=date(2026, 10, 1))


def test_acceptance_needs_a_decision_first(referral, agent):
    with pytest.raises(ValidationError, match="decision first"):
        services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))


def test_the_customer_may_turn_the_decision_down_which_ends_the_case(referral, agent):
    with pytest.raises(ValidationError, match="decision first"):
        services.record_customer_rejection(referral=referral, actor=agent, rejected_on=date(2026, 12, 4))
    decide(referral, agent)
    services.record_customer_rejection(referral=referral, actor=agent, rejected_on=date(2026, 12, 4))
    referral.refresh_from_db()
    assert referral.stage == "Decision turned down by the customer; the case is closed"
    assert referral.compliance_due_on is None
    assert Event.objects.filter(complaint=referral.complaint, kind=EventKind.OMBUDSMAN).last().summary == (
        "The customer turned the decision down; the case is closed"
    )
    with pytest.raises(ValidationError, match="turned the decision down: they cannot also accept it"):
        services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 5))


def test_otelo_counts_28_calendar_days(db):
    otelo = Scheme.objects.get(slug="otelo")
    assert otelo.compliance_due_on(date(2026, 12, 4)) == date(2027, 1, 1)


def test_cisas_counts_20_working_days_without_england_and_wales_bank_holidays(db):
    cisas = Scheme.objects.get(slug="cisas")
    # From Friday 18 December 2026: Christmas, Boxing Day (observed Monday 28th) and New
    # Year's Day are not working days, nor are weekends.
    assert cisas.compliance_due_on(date(2026, 12, 18)) == date(2027, 1, 20)
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)  # over the August bank holiday


def test_not_upheld_decisions_have_nothing_to_comply_with(referral, agent):
    decide(referral, agent, decision=Decision.NOT_UPHELD, apology=False, action="", award_amount=0)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    assert referral.compliance_due_on is None


def test_the_sweep_reminds_before_and_flags_after_the_compliance_deadline(referral, agent, manager):
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    assert referral.compliance_due_on == date(2027, 1, 1)

    with time_machine.travel(uk(2026, 12, 24, 23, 59), tick=False):
        sweep.run()
    assert not compliance_emails().exists()
    with time_machine.travel(uk(2026, 12, 25, 0, 0), tick=False):
        record = sweep.run()
        sweep.run()
    assert record.counts["compliance_reminders"] == 1
    assert list(compliance_emails().values_list("to", flat=True)) == [manager.email]
    assert compliance_emails().get().subject.startswith("Due soon")

    with time_machine.travel(uk(2027, 1, 1, 23, 59), tick=False):
        assert sweep.run().counts["compliance_overdue"] == 0
    with time_machine.travel(uk(2027, 1, 2, 0, 0), tick=False):
        assert sweep.run().counts["compliance_overdue"] == 1
        assert sweep.run().counts["compliance_overdue"] == 0
    referral.refresh_from_db()
    assert referral.compliance_overdue_at is not None
    assert compliance_emails().filter(subject__startswith="Overdue").count() == 1
    overdue_event = Event.objects.filter(kind=EventKind.OMBUDSMAN, summary__startswith="Compliance overdue").get()
    assert not overdue_event.visible_to_customer


@time_machine.travel(uk(2027, 1, 10, 12), tick=False)  # every step's date has passed
def test_complied_decisions_are_not_chased(referral, agent, manager):
    decide(referral, agent)
    services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=date(2026, 12, 4))
    services.record_compliance(referral=referral, actor=agent, complied_on=date(2026, 12, 10))
    with time_machine.travel(uk(2027, 2, 1), tick=False):
        record = sweep.run()
    assert (record.counts["compliance_reminders"], record.counts["compliance_overdue"]) == (0, 0)


def test_a_complaint_is_referred_once(referral, customer):
    with pytest.raises(ValidationError, match="already been referred"):
        services.record_referral(complaint=referral.complaint, actor=customer, referred_on=date(2026, 11, 2))
