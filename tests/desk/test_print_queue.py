"""The print queue: letters and acknowledgements to post, with their PDFs, marked as posted."""

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import PreferredContact, PreferredFormat
from complaints.models import AccessKind, ComplaintAccess, Event, EventKind, PostStatus
from ombudsman import services as adr_services
from ombudsman.models import Letter, LetterStatus
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


# --- one count, and large print said ------------------------------------------------------

def one_of_each_waiting(customer, agent, capture):
    """An acknowledgement by post (complaints app) and a deadlock letter (ombudsman app), both waiting."""
    deadlocked = due_complaint(customer)
    prefers_post(customer)
    acknowledged = file_complaint(customer)
    with capture(execute=True):
        letter = adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")
    return acknowledged.postal_letters.get(), Letter.objects.get(pk=letter.pk)


def test_the_banner_and_the_queue_count_both_kinds_of_letter_alike(agent_client, customer, agent,
                                                                   django_capture_on_commit_callbacks):
    postal, letter = one_of_each_waiting(customer, agent, django_capture_on_commit_callbacks)
    assert postal.status == PostStatus.PRINT_QUEUED and letter.status == LetterStatus.PRINT_QUEUED

    banner = agent_client.get(reverse("admin:index"))
    page = agent_client.get(QUEUE_URL)

    assertContains(banner, f'2 letters waiting to be printed and posted. <a href="{QUEUE_URL}">Print queue</a>')
    assertContains(page, "2 letters waiting to be printed and posted.", count=2)  # the banner, then the list
    assert len(page.context["items"]) == 2


def test_large_print_letters_are_labelled_in_the_queue(agent_client, customer, agent,
                                                       django_capture_on_commit_callbacks):
    customer.support_consent_at = timezone.now()
    customer.preferred_format = PreferredFormat.LARGE_PRINT
    customer.save()
    postal, letter = one_of_each_waiting(customer, agent, django_capture_on_commit_callbacks)
    assert letter.large_print

    assertContains(agent_client.get(QUEUE_URL), '<strong class="desk-badge">Large print</strong>', count=2)


def test_a_waiting_letter_keeps_the_format_it_was_written_in(agent_client, customer, agent,
                                                             django_capture_on_commit_callbacks):
    customer.support_consent_at = timezone.now()
    customer.preferred_format = PreferredFormat.LARGE_PRINT
    customer.save()
    postal, _letter = one_of_each_waiting(customer, agent, django_capture_on_commit_callbacks)
    customer.preferred_format = PreferredFormat.STANDARD
    customer.save()

    postal.refresh_from_db()
    assert postal.large_print
    assertContains(agent_client.get(QUEUE_URL), '<strong class="desk-badge">Large print</strong>', count=2)


def test_standard_print_letters_carry_no_label(agent_client, customer, agent, django_capture_on_commit_callbacks):
    one_of_each_waiting(customer, agent, django_capture_on_commit_callbacks)

    assertNotContains(agent_client.get(QUEUE_URL), "Large print")


# --- print all waiting: one PDF, then marked as posted together -----------------------------

START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def blank_pdf(pages, width):
    """Return a PDF of blank pages whose width tells it apart from a letter's (A4) PDF."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=400)
    content = BytesIO()
    writer.write(content)
    return content.getvalue()


def store_pdf(letter, pdf):
    type(letter).objects.filter(pk=letter.pk).update(pdf=pdf, pdf_sha256=type(letter).hash_of(pdf))


def three_waiting(customer, agent, capture):
    """An acknowledgement, a deadlock letter, then another acknowledgement, an hour apart, each with a
    stored PDF of its own width (100, 200, 300 points) and page count (3, 1, 2)."""
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        deadlocked = due_complaint(customer)
    prefers_post(customer)
    with time_machine.travel(START, tick=False):
        first = file_complaint(customer).postal_letters.get()
    with time_machine.travel(START + timedelta(hours=1), tick=False), capture(execute=True):
        letter = adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        third = file_complaint(customer).postal_letters.get()
    for waiting, (pages, width) in zip((first, letter, third), ((3, 100), (1, 200), (2, 300)), strict=True):
        store_pdf(waiting, blank_pdf(pages, width))
    return first, letter, third


def hidden_ids(response):
    return re.findall(r'<input type="hidden" name="(letter|postal)" value="(\d+)">', response.content.decode())


def dict_of(ids):
    data = {}
    for source, pk in ids:
        data.setdefault(source, []).append(pk)
    return data


def pdf_link(response):
    link = re.search(r'href="([^"]+)" class="button" id="print-all-pdf"', response.content.decode()).group(1)
    return link.replace("&amp;", "&")


def page_widths(response):
    return [round(page.mediabox.width) for page in PdfReader(BytesIO(response.content)).pages]


def test_print_all_joins_the_stored_pdfs_oldest_first(agent_client, customer, agent,
                                                      django_capture_on_commit_callbacks):
    first, letter, third = three_waiting(customer, agent, django_capture_on_commit_callbacks)

    page = agent_client.get(reverse("admin:desk_print_all"), follow=True)
    response = agent_client.get(pdf_link(page))

    assert response["Content-Type"] == "application/pdf"
    # Each letter's stored pages, unchanged and in the queue's order: nothing was made again.
    assert page_widths(response) == [100, 100, 100, 200, 300, 300]
    assert hidden_ids(page) == [("postal", str(first.pk)), ("letter", str(letter.pk)), ("postal", str(third.pk))]
    assertContains(page, "Mark these 3 letters as posted")


def test_print_all_records_each_complaint_in_the_pdf_as_seen(agent_client, customer, agent,
                                                             django_capture_on_commit_callbacks):
    letters = three_waiting(customer, agent, django_capture_on_commit_callbacks)
    page = agent_client.get(reverse("admin:desk_print_all"), follow=True)
    before = ComplaintAccess.objects.count()

    agent_client.get(pdf_link(page))

    recorded = ComplaintAccess.objects.order_by("pk")[before:]
    assert sorted((access.staff_id, access.complaint_id, access.kind) for access in recorded) == sorted(
        (agent.pk, waiting.complaint_id, AccessKind.LETTER_PDF) for waiting in letters)


def test_a_letter_never_opened_gets_its_pdf_made_once_and_kept(agent_client, customer):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()
    assert acknowledgement.pdf_sha256 == ""
    page = agent_client.get(reverse("admin:desk_print_all"), follow=True)

    joined = agent_client.get(pdf_link(page))

    acknowledgement.refresh_from_db()
    assert acknowledgement.pdf_sha256
    single = agent_client.get(f"{QUEUE_URL}postal/{acknowledgement.pk}.pdf")
    assert single["X-Content-SHA256"] == acknowledgement.pdf_sha256
    assert len(PdfReader(BytesIO(joined.content)).pages) == len(PdfReader(BytesIO(single.content)).pages)


def test_confirming_marks_exactly_the_letters_printed_not_one_that_came_later(agent_client, customer, agent,
                                                                             django_capture_on_commit_callbacks):
    first, letter, third = three_waiting(customer, agent, django_capture_on_commit_callbacks)
    page = agent_client.get(reverse("admin:desk_print_all"), follow=True)
    later = file_complaint(customer).postal_letters.get()

    assert page_widths(agent_client.get(pdf_link(page))) == [100, 100, 100, 200, 300, 300]
    response = agent_client.post(reverse("admin:desk_print_all_posted"), dict_of(hidden_ids(page)), follow=True)

    assertContains(response, "3 letters marked as posted.")
    for posted in (first, letter, third):
        posted.refresh_from_db()
        assert posted.status in (PostStatus.POSTED, LetterStatus.POSTED)
    later.refresh_from_db()
    assert later.status == PostStatus.PRINT_QUEUED
    assert first.posted_by == agent and third.posted_by == agent
    assert Event.objects.filter(kind=EventKind.LETTER, data__step="posted", actor=agent).count() == 3


def test_a_reloaded_page_keeps_to_the_letters_first_listed(agent_client, customer, agent,
                                                           django_capture_on_commit_callbacks):
    first, letter, third = three_waiting(customer, agent, django_capture_on_commit_callbacks)
    page = agent_client.get(reverse("admin:desk_print_all"))
    file_complaint(customer)

    reloaded = agent_client.get(page["Location"])

    assert hidden_ids(reloaded) == [("postal", str(first.pk)), ("letter", str(letter.pk)), ("postal", str(third.pk))]


def test_confirming_twice_marks_once_and_says_so(agent_client, customer, agent, django_capture_on_commit_callbacks):
    three_waiting(customer, agent, django_capture_on_commit_callbacks)
    page = agent_client.get(reverse("admin:desk_print_all"), follow=True)
    url, data = reverse("admin:desk_print_all_posted"), dict_of(hidden_ids(page))

    first = agent_client.post(url, data, follow=True)
    again = agent_client.post(url, data, follow=True)

    assertContains(first, "3 letters marked as posted.")
    assertContains(again, "3 letters were already marked as posted, so not marked again.")
    assertNotContains(again, "3 letters marked as posted.")
    assert Event.objects.filter(kind=EventKind.LETTER, data__step="posted").count() == 3


def test_confirming_a_list_of_no_real_letters_says_so_and_marks_nothing(agent_client, customer):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()

    response = agent_client.post(reverse("admin:desk_print_all_posted"),
                                 {"postal": ["abc", "9" * 30, "-1"], "letter": "1.5"}, follow=True)

    assertContains(response, "No letters were chosen to mark as posted")
    acknowledgement.refresh_from_db()
    assert acknowledgement.status == PostStatus.PRINT_QUEUED


def test_print_all_with_nothing_waiting_says_so(agent_client, complaint):
    assertContains(agent_client.get(reverse("admin:desk_print_all")), "Nothing to print")


def test_the_queue_offers_to_print_all_waiting(agent_client, customer):
    prefers_post(customer)
    file_complaint(customer)

    assertContains(agent_client.get(QUEUE_URL), f'href="{reverse("admin:desk_print_all")}"')


def test_customers_never_reach_print_all(customer_client, customer):
    prefers_post(customer)
    acknowledgement = file_complaint(customer).postal_letters.get()

    for url in (reverse("admin:desk_print_all"), f"{reverse('admin:desk_print_all_pdf')}?postal={acknowledgement.pk}"):
        assert customer_client.get(url).status_code == 302
    customer_client.post(reverse("admin:desk_print_all_posted"), {"postal": acknowledgement.pk})
    acknowledgement.refresh_from_db()
    assert acknowledgement.status == PostStatus.PRINT_QUEUED
