"""Correcting the date a complaint was received: the service guards the moment ADR opens.

The rules ("The clock is guarded"): an earlier date is allowed with a reason and tells the
customer their new ADR date; a correction that would move ADR later is refused, as is a
date in the future, whoever calls the service.
"""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

import clock
from complaints import services
from complaints.models import EmailKind, EventKind, OutgoingEmail, PostalKind
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import LetterKind, Scheme, WaitingPeriodPolicy
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

REASON = "The customer first complained by phone on that day."


def filed_on(customer, moment, **overrides):
    with time_machine.travel(moment, tick=False):
        return file_complaint(customer, **overrides)


def correct(complaint, agent, received_at, at, reason=REASON):
    with time_machine.travel(at, tick=False):
        return services.change_received_date(complaint=complaint, received_at=received_at, reason=reason,
                                             actor=agent)


def refusal(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


def test_a_date_in_the_future_is_refused(customer, agent):
    complaint = filed_on(customer, uk(2026, 11, 2, 10))

    with pytest.raises(ValidationError) as excinfo:
        correct(complaint, agent, uk(2026, 11, 3, 12), at=uk(2026, 11, 3, 11, 59))

    assert "cannot be in the future" in refusal(excinfo, "received_at")
    complaint.refresh_from_db()
    assert complaint.received_at == uk(2026, 11, 2, 10)
    assert not complaint.events.filter(kind=EventKind.RECEIVED_DATE_CHANGED).exists()


def test_a_missing_reason_is_refused_on_the_reason(complaint, agent):
    with pytest.raises(ValidationError) as excinfo:
        services.change_received_date(complaint=complaint, received_at=complaint.received_at, reason="  ",
                                      actor=agent)

    assert "Say why" in refusal(excinfo, "reason")


def test_correcting_to_today_after_the_adr_letter_is_refused_and_the_customer_keeps_the_right(customer, agent):
    complaint = filed_on(customer, uk(2026, 9, 1, 10))
    with time_machine.travel(uk(2026, 10, 27, 9), tick=False):
        assert adr_services.create_adr_letter(complaint=complaint) is not None

    with pytest.raises(ValidationError) as excinfo:
        correct(complaint, agent, uk(2026, 11, 3, 9), at=uk(2026, 11, 3, 10))

    message = refusal(excinfo, "received_at")
    assert "ADR opens on 27 October 2026" in message and "29 December 2026" in message
    assert "never moves later" in message
    complaint.refresh_from_db()
    assert complaint.received_at == uk(2026, 9, 1, 10)
    assert complaint.adr_opens_at == uk(2026, 10, 27)
    with time_machine.travel(uk(2026, 11, 3, 10), tick=False):
        assert clock.may_refer(complaint)
        adr_services.record_referral(complaint=complaint, actor=customer, referred_on=date(2026, 11, 3))


def test_a_later_date_that_would_move_adr_later_is_refused_before_any_letter(customer, agent):
    complaint = filed_on(customer, uk(2026, 11, 2, 10))

    with pytest.raises(ValidationError, match="never moves later"):
        correct(complaint, agent, uk(2026, 11, 3, 9), at=uk(2026, 11, 4, 10))

    complaint.refresh_from_db()
    assert complaint.adr_opens_at == uk(2026, 12, 28)


def test_an_earlier_date_across_a_policy_change_keeps_the_shorter_period(customer, agent):
    # 56 days until 31 May 2026, 42 from 1 June: the complaint fixed 42 days.
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42, note="Ofcom's 2026 review")
    complaint = filed_on(customer, uk(2026, 6, 2, 10))
    assert (complaint.waiting_period_days, complaint.adr_opens_at) == (42, uk(2026, 7, 14))

    correct(complaint, agent, uk(2026, 5, 30, 15), at=uk(2026, 6, 5, 10))

    complaint.refresh_from_db()
    # Re-reading the policy for 30 May would give 56 days and ADR on 25 July: later.
    assert complaint.waiting_period_days == 42
    assert complaint.adr_opens_at == uk(2026, 7, 11)


def test_an_earlier_date_under_a_shorter_policy_takes_the_shorter_period(customer, agent):
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 1), days=42)
    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 10), days=56)
    complaint = filed_on(customer, uk(2026, 6, 12, 10))

    correct(complaint, agent, uk(2026, 6, 8, 10), at=uk(2026, 6, 12, 11))

    complaint.refresh_from_db()
    assert complaint.waiting_period_days == 42
    assert complaint.adr_opens_at == uk(2026, 7, 20)


def test_the_correction_is_audited_with_the_old_and_new_adr_moments(customer, agent):
    complaint = filed_on(customer, uk(2026, 11, 20, 10))

    correct(complaint, agent, uk(2026, 11, 2, 9, 30), at=uk(2026, 11, 21, 10))

    event = complaint.events.get(kind=EventKind.RECEIVED_DATE_CHANGED)
    assert (event.actor, event.body) == (agent, REASON)
    assert event.data["from"] == uk(2026, 11, 20, 10).isoformat()
    assert event.data["to"] == uk(2026, 11, 2, 9, 30).isoformat()
    assert event.data["adr_opens_at_from"] == uk(2027, 1, 15).isoformat()
    assert event.data["adr_opens_at_to"] == uk(2026, 12, 28).isoformat()


def test_an_earlier_adr_date_is_emailed_to_the_customer_with_the_schemes_name(customer, agent,
                                                                             django_capture_on_commit_callbacks):
    Scheme.objects.filter(is_provider_scheme=True).update(name="Communications Ombudsman")
    complaint = filed_on(customer, uk(2026, 11, 20, 10))

    with django_capture_on_commit_callbacks(execute=True):
        correct(complaint, agent, uk(2026, 11, 2, 9, 30), at=uk(2026, 11, 21, 10))

    email = complaint.emails.get(kind=EmailKind.STATUS)
    assert email.to == customer.email
    assert email.subject == f"Your complaint {complaint.tracking_number}: you can go to the ombudsman sooner"
    for body in (" ".join(email.text_body.split()), " ".join(email.html_body.split())):
        assert "you first told us about it on 2 November 2026, not 20 November 2026" in body
        assert "Communications Ombudsman" in body
        assert "28 December 2026" in body and "15 January 2027" in body
        assert "If we have not resolved your complaint by 28 December 2026" in body
    assert [message.subject for message in mail.outbox][-1] == email.subject


def test_an_adr_date_already_passed_says_the_customer_may_go_now_and_the_sweep_writes_the_letter(customer, agent):
    complaint = filed_on(customer, uk(2026, 10, 20, 10))

    correct(complaint, agent, uk(2026, 10, 10, 10), at=uk(2026, 12, 9, 10))

    email = complaint.emails.get(kind=EmailKind.STATUS)
    assert "It is now 5 December 2026" in email.text_body
    assert "you can take your complaint to them now" in email.text_body
    complaint.refresh_from_db()
    assert complaint.adr_letter_pending
    with time_machine.travel(uk(2026, 12, 9, 10, 5), tick=False):
        sweep.run()
    assert complaint.letters.filter(kind=LetterKind.ADR).exists()


def test_a_customer_who_prefers_post_gets_a_letter_with_the_new_date(customer, agent):
    customer.preferred_contact = "post"
    customer.save()
    complaint = filed_on(customer, uk(2026, 11, 20, 10))

    correct(complaint, agent, uk(2026, 11, 2, 9, 30), at=uk(2026, 11, 21, 10))

    assert not complaint.emails.filter(kind=EmailKind.STATUS).exists()
    letter = complaint.postal_letters.exclude(kind=PostalKind.ACKNOWLEDGEMENT).get()
    assert letter.kind == PostalKind.MESSAGE
    assert "28 December 2026" in letter.html and "Office of the Telecommunications Ombudsman" in letter.html


def test_no_message_when_adr_does_not_move_or_the_customer_has_no_adr_rights(customer, large_business_customer,
                                                                            agent):
    same_day = filed_on(customer, uk(2026, 11, 20, 16))
    no_rights = filed_on(large_business_customer, uk(2026, 11, 20, 10))

    correct(same_day, agent, uk(2026, 11, 20, 9), at=uk(2026, 11, 21, 10))
    correct(no_rights, agent, uk(2026, 11, 2, 9), at=uk(2026, 11, 21, 10))

    same_day.refresh_from_db()
    no_rights.refresh_from_db()
    assert same_day.adr_opens_at == uk(2027, 1, 15)
    assert no_rights.adr_opens_at == uk(2026, 12, 28)
    assert not OutgoingEmail.objects.filter(kind=EmailKind.STATUS).exists()
