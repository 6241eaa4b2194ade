"""Real objects for the words tests: the access matrix's world, and complaints in each state."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import services
from complaints.models import Upheld
from ombudsman.services import create_adr_letter
from tests.conftest import file_complaint
from tests.security.matrix import build_world
from tests.words.reading import strict_templates  # noqa: F401 - a fixture for every test here

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name="statement.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(customer, other_customer, agent, manager):
    """The access matrix's objects: a deadlocked complaint with a file, letters and a referral."""
    return build_world(customer, other_customer, agent, manager)


def complaint_states(customer, agent):
    """Return the customer's complaints in every state a customer meets one, by name."""
    states = {"new": file_complaint(customer)}
    talked = file_complaint(customer, attachments=[pdf_upload()])
    services.request_information(complaint=talked, agent=agent, body="Which meeting ID was it?")
    services.add_customer_message(complaint=talked, customer=customer, body="Meeting 123.",
                                  attachments=[pdf_upload("screenshot.pdf")])
    states["talked about"] = talked
    waiting = file_complaint(customer)
    services.request_information(complaint=waiting, agent=agent, body="Could you send the bill?")
    states["waiting for the customer"] = waiting
    proposed = file_complaint(customer)
    services.propose_resolution(complaint=proposed, agent=agent, proposal="A month's credit.", upheld=Upheld.PARTLY,
                                credit_amount=10)
    states["resolution proposed"] = proposed
    rejected = file_complaint(customer)
    services.propose_resolution(complaint=rejected, agent=agent, proposal="An apology.", upheld=Upheld.PARTLY)
    services.reject_resolution(complaint=rejected, customer=customer, reason="It does not fix the fault.")
    states["proposal turned down"] = rejected
    resolved = file_complaint(customer)
    services.resolve_complaint(complaint=resolved, agent=agent, summary="We fixed the fault.", upheld=Upheld.UPHELD,
                               apology=True, credit_amount=12)
    states["resolved"] = resolved
    goodwill = file_complaint(customer, received_at=timezone.now() - timedelta(days=70))
    services.resolve_complaint(complaint=goodwill, agent=agent, summary="We found no fault.",
                               upheld=Upheld.NOT_UPHELD, explanation=True, credit_amount=5)
    states["resolved with goodwill, past its waiting period"] = goodwill
    withdrawn = file_complaint(customer)
    services.withdraw_complaint(complaint=withdrawn, customer=customer, reason="Sorted now.")
    states["withdrawn"] = withdrawn
    late = file_complaint(customer, received_at=timezone.now() - timedelta(days=60))
    create_adr_letter(complaint=late)
    states["past its waiting period, with its letter"] = late
    asked = file_complaint(customer)
    services.request_deadlock_letter(complaint=asked, customer=customer, reason="We are going round in circles.")
    states["deadlock letter asked for"] = asked
    return states


@pytest.fixture
def states(world, agent):
    return complaint_states(world["customer"], agent)
