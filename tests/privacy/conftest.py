"""Complaints with a past: filed, discussed, written to and closed at given moments."""

import re
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from clock import UK
from complaints import services
from complaints.models import Complaint, Upheld
from ombudsman import delivery
from ombudsman import services as adr
from tests.conftest import file_complaint

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# What the customer told us and what we wrote back: none of it may survive anonymisation.
PERSONAL = ["Dana", "dana.customer@example.com", "07700 900001", "High Street", "LS1 1AA",
            "meetings drop", "refund a month", "bill-dana", "my son", "account 4471", "OS-2018-99"]


def mentions(text, item):
    """Say whether ``text`` holds ``item`` as words, not inside a random token such as a
    tracking number or a stored file's name (which can spell "dana" by chance)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(item.casefold())}(?![a-z0-9])", text) is not None


def uk(*args):
    return datetime(*args, tzinfo=UK)


def at(moment):
    return time_machine.travel(moment, tick=False)


def pdf(name="bill-dana.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def story(customer, agent, *, received, closed=None, letter=None, withdraw=False):
    """File a complaint at ``received`` with an attachment, a message each way and an internal
    note; send a deadlock letter at ``letter``; resolve it (or withdraw it) at ``closed``.
    """
    with at(received):
        complaint = file_complaint(
            customer, description="Dana here: meetings drop after ten minutes.",
            desired_outcome="Fix it and refund a month.", attachments=[pdf()],
        )
        services.add_customer_message(complaint=complaint, customer=customer,
                                      body="My son uses the same account 4471.")
        services.add_staff_message(complaint=complaint, agent=agent, body="Thank you Dana, we are on it.")
        services.add_internal_note(complaint=complaint, agent=agent, body="Dana sounded upset about account 4471.")
    if letter:
        with at(letter):
            written = adr.declare_deadlock(complaint=complaint, actor=agent,
                                           reason="Dana, we cannot offer more than a credit.")
            delivery.deliver(written.pk)
    if closed:
        with at(closed):
            if withdraw:
                services.withdraw_complaint(complaint=complaint, customer=customer, reason="Dana sorted it.")
            else:
                services.resolve_complaint(complaint=complaint, agent=agent, summary="Credited Dana £20.",
                                           upheld=Upheld.PARTLY, credit_amount=Decimal("20.00"))
    return Complaint.objects.get(pk=complaint.pk)


def refer(complaint, customer, agent, *, on, decision=None, accepted=False, complied=False, rejected=False):
    """Record a referral on a UK date, and as many of its later steps as asked."""
    with at(uk(on.year, on.month, on.day, 12)):
        referral = adr.record_referral(complaint=complaint, actor=customer, referred_on=on,
                                       case_reference="OS-2018-99")
        if decision:
            adr.record_decision(referral=referral, actor=agent, decision=decision, decided_on=on,
                                action="Credit account 4471", award_amount=Decimal("50.00"))
        if accepted:
            adr.record_customer_acceptance(referral=referral, actor=agent, accepted_on=on)
        if complied:
            adr.record_compliance(referral=referral, actor=agent, complied_on=on)
        if rejected:
            adr.record_customer_rejection(referral=referral, actor=agent, rejected_on=on)
    return referral


@pytest.fixture
def old_complaint(customer, agent):
    """Received in March 2018, deadlock letter in May, resolved in June 2018."""
    return story(customer, agent, received=uk(2018, 3, 1, 10), letter=uk(2018, 5, 1, 10), closed=uk(2018, 6, 1, 10))
