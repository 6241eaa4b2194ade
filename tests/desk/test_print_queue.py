"""The print queue: letters and acknowledgements to post, with their PDFs, marked as posted."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import PreferredContact
from complaints.models import EventKind, PostStatus
from ombudsman import services as adr_services
from ombudsman.models import LetterStatus
from tests.conftest import file_complaint
from tests.desk.conftest import due_complaint

QUEUE_URL = "/admin/complaints/complaint/print-queue/"


def prefers_post(customer):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    return customer


def test_the_queue_lists_acknowledgements_and_adr_letters_to_post(agent_client, customer, agent,
                                                                  django_capture_on_commit_callbacks):
    prefers_post(customer)
    acknowledged = file_complaint(customer)
    deadlocked = due_complaint(customer)
    with django_capture_on_commit_callbacks(execute=True):
        letter = adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.PRINT_QUEUED

    response = agent_client.get(QUEUE_URL)

    assert reverse("admin:desk_print_queue") == QUEUE_URL
    assertContains(response, acknowledged.tracking_number)
    assertContains(response, deadlocked.tracking_number)
    assertContains(response, "Acknowledgement letter")
    assertContains(response, "Deadlock letter")
    assertContains(response, "1 High Street")
    assertContains(response, f"print-queue/letter/{letter.pk}.pdf")


def test_the_pdfs_download(agent_client, customer, agent):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()
    letter = adr_services.declare_deadlock(complaint=due_complaint(customer), actor=agent, reason="Final.")

    for source, pk in (("postal", acknowledgement.pk), ("letter", letter.pk)):
        response = agent_client.get(f"{QUEUE_URL}{source}/{pk}.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), source
        assert response["Content-Type"] == "application/pdf"


def test_marking_posted_takes_it_off_the_queue_and_writes_the_timeline(agent_client, customer, agent,
                                                                        django_capture_on_commit_callbacks):
    prefers_post(customer)
    complaint = file_complaint(customer)
    acknowledgement = complaint.postal_letters.get()
    deadlocked = due_complaint(customer)
    with django_capture_on_commit_callbacks(execute=True):
        letter = adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")

    agent_client.post(f"{QUEUE_URL}postal/{acknowledgement.pk}/posted/")
    agent_client.post(f"{QUEUE_URL}letter/{letter.pk}/posted/")

    acknowledgement.refresh_from_db()
    letter.refresh_from_db()
    assert acknowledgement.status == PostStatus.POSTED and acknowledgement.posted_by == agent
    assert letter.status == LetterStatus.POSTED
    assert complaint.events.filter(kind=EventKind.LETTER, summary="Acknowledgement letter posted").exists()
    assert deadlocked.events.filter(kind=EventKind.LETTER, summary="Deadlock letter posted", actor=agent).exists()
    response = agent_client.get(QUEUE_URL)
    assertNotContains(response, f"postal/{acknowledgement.pk}.pdf")
    assertNotContains(response, f"letter/{letter.pk}.pdf")


def test_an_empty_queue_says_so(agent_client, complaint):
    assertContains(agent_client.get(QUEUE_URL), "Nothing to print.")


def test_marking_posted_is_a_post_only(agent_client, customer):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()

    assert agent_client.get(f"{QUEUE_URL}postal/{acknowledgement.pk}/posted/").status_code == 405


def test_customers_never_reach_the_queue_or_its_pdfs(customer_client, customer):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()

    for url in (QUEUE_URL, f"{QUEUE_URL}postal/{acknowledgement.pk}.pdf"):
        assert customer_client.get(url).status_code == 302
    customer_client.post(f"{QUEUE_URL}postal/{acknowledgement.pk}/posted/")
    acknowledgement.refresh_from_db()
    assert acknowledgement.status == PostStatus.PRINT_QUEUED
