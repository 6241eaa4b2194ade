"""The customer's complaint page reads each thing it shows once, however long its timeline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clock import uk_today
from complaints import services
from complaints.models import Complaint
from ombudsman import services as ombudsman_services
from ombudsman.models import Scheme
from tests.complaints.conftest import pdf, png
from tests.conftest import file_complaint

# Session, user, complaint, attachments, events, the provider's scheme; then, once the way to
# ADR has opened, the letters and the referral.
PAGE_QUERIES = {"waiting": 6, "open": 8}


def complaint_with_a_long_timeline(customer, agent):
    """File a complaint with files on two of its several timeline events."""
    complaint = file_complaint(customer, attachments=[pdf("meeting log.pdf")])
    services.add_staff_message(complaint=complaint, agent=agent, body="Could you send the bill?")
    services.add_customer_message(complaint=complaint, customer=customer, body="Here it is.",
                                  attachments=[pdf("march bill.pdf"), png("error.png")])
    services.add_staff_message(complaint=complaint, agent=agent, body="Thank you, we are looking into it.")
    return complaint


@pytest.mark.parametrize("history", ["none", "waiting period over", "letter", "letter and referral"])
def test_the_page_reads_each_thing_once(customer_client, customer, agent, history, django_assert_num_queries):
    complaint = complaint_with_a_long_timeline(customer, agent)
    if history == "waiting period over":
        # The way to ADR is open without a letter (the sweep has not written it yet).
        Complaint.objects.filter(pk=complaint.pk).update(adr_opens_at=timezone.now() - timedelta(hours=1))
    if "letter" in history:
        ombudsman_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    if "referral" in history:
        ombudsman_services.record_referral(complaint=complaint, actor=customer, referred_on=uk_today())

    with django_assert_num_queries(PAGE_QUERIES["waiting" if history == "none" else "open"]):
        response = customer_client.get(reverse("complaints:detail", args=[complaint.tracking_number]))

    for name in ["meeting log.pdf", "march bill.pdf", "error.png"]:
        assertContains(response, name, count=2)  # in the list and on its timeline event
    assertContains(response, "Thank you, we are looking into it.")
    if "letter" in history:
        assertContains(response, 'id="letters"')
    if history in ("letter", "waiting period over"):
        assertContains(response, "You can take this complaint to", count=1)
    if "referral" in history:
        assertContains(response, "You took this complaint to", count=1)
        assertContains(response, f"You referred it on {uk_today():%-d %B %Y}")


def test_a_letter_from_a_scheme_the_provider_has_left_still_names_that_scheme(customer_client, customer, agent):
    complaint = complaint_with_a_long_timeline(customer, agent)
    ombudsman_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    former = Scheme.objects.get(is_provider_scheme=True)
    Scheme.objects.filter(pk=former.pk).update(is_provider_scheme=False)
    Scheme.objects.create(slug="services", name="Ombudsman Services", short_name="Ombudsman Services",
                          name_takes_the=False, website="ombudsman-services.org", phone="0330 440 1614",
                          postal_address="PO Box 730\nWarrington\nWA4 6WU", is_active=True, is_provider_scheme=True)

    response = customer_client.get(reverse("complaints:detail", args=[complaint.tracking_number]))

    assertContains(response, f"You can take this complaint to {former.name_in_sentence} now")
    assertNotContains(response, "You can take this complaint to Ombudsman Services")
