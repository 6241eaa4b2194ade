from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clock import UK
from complaints import services
from complaints.models import Attachment, Category, Status
from tests.complaints.conftest import PDF_BYTES, log_in, pdf
from tests.conftest import file_complaint


def detail_url(complaint):
    return reverse("complaints:detail", args=[complaint.tracking_number])


def test_the_owner_sees_their_complaint_and_its_timeline(customer_client, complaint, agent):
    services.add_staff_message(complaint=complaint, agent=agent, body="Could you send the meeting ID?")

    response = customer_client.get(detail_url(complaint))

    assertContains(response, complaint.tracking_number)
    assertContains(response, complaint.description)
    assertContains(response, complaint.desired_outcome)
    assertContains(response, "You sent us your complaint")
    assertContains(response, "Could you send the meeting ID?")
    assertContains(response, "Our complaints team,")
    assertContains(response, "You,")


def test_internal_notes_never_reach_the_customer_page(customer_client, complaint, agent):
    services.add_internal_note(complaint=complaint, agent=agent, body="Secret: customer is on the legacy plan.")

    response = customer_client.get(detail_url(complaint))

    assertNotContains(response, "legacy plan")
    assertNotContains(response, "Internal note")


def test_a_sloppy_spelling_redirects_to_the_canonical_address(customer_client, complaint):
    sloppy = complaint.tracking_number.lower().replace("-", " ").replace("0", "o").replace("1", "l")

    response = customer_client.get(reverse("complaints:detail", args=[sloppy]))

    assertRedirects(response, detail_url(complaint))


def test_an_invalid_tracking_number_is_not_found(customer_client, complaint):
    typo = complaint.tracking_number[:-1] + ("A" if complaint.tracking_number[-1] != "A" else "B")

    assert customer_client.get(reverse("complaints:detail", args=[typo])).status_code == 404
    assert customer_client.get(reverse("complaints:detail", args=["not-a-number"])).status_code == 404


def test_a_valid_but_unknown_tracking_number_is_not_found(customer_client, db):
    assert customer_client.get(reverse("complaints:detail", args=["LMI-0A1B-2C3D"])).status_code == 404


def test_another_customers_complaint_is_not_found(client, complaint, other_customer):
    log_in(client, other_customer)

    assert client.get(detail_url(complaint)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, complaint):
    response = client.get(detail_url(complaint))

    assertRedirects(response, f"{reverse('accounts:login')}?next={detail_url(complaint)}",
                    fetch_redirect_response=False)


def test_staff_are_sent_to_the_desk_and_may_not_act_as_the_customer(client, complaint, agent):
    log_in(client, agent)

    response = client.get(detail_url(complaint))

    # The desk's page records that they opened it; the customer's page records nothing.
    assert response.url == reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert client.post(reverse("complaints:reply", args=[complaint.tracking_number]), {"body": "x"}).status_code == 403


@pytest.mark.parametrize(("days", "flagged"), [(30, False), (31, True)])
def test_a_late_billing_report_is_flagged_gently(customer_client, customer, days, flagged):
    complaint = file_complaint(customer, category=Category.BILLING_DISCREPANCY,
                               statement_date=timezone.localdate() - timedelta(days=days))

    response = customer_client.get(detail_url(complaint))

    text = "Our Code asks for billing discrepancies within 30 days of the statement; we will still look into it."
    (assertContains if flagged else assertNotContains)(response, text)


def test_the_clock_says_the_day_and_when_the_customer_can_go_to_the_scheme(client, customer):
    with time_machine.travel(datetime(2027, 1, 17, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(datetime(2027, 2, 9, 12, 0, tzinfo=UK), tick=False):
        log_in(client, customer)
        response = client.get(detail_url(complaint))

    assertContains(response, "<strong>Day 23 of 56:</strong>")
    assertContains(response, "if we have not resolved it by 14 March 2027, you can take it to Otelo.")


def test_the_clock_says_the_customer_can_go_to_the_scheme_once_the_period_is_over(client, customer):
    with time_machine.travel(datetime(2027, 1, 17, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(datetime(2027, 3, 14, 0, 1, tzinfo=UK), tick=False):
        log_in(client, customer)
        response = client.get(detail_url(complaint))

    # One banner says so: the way to the ombudsman, with the scheme's full name.
    assertContains(response, "You can take this complaint to", count=1)
    assertContains(response, "You can take this complaint to the Office of the Telecommunications Ombudsman "
                             "(Otelo) now")
    assertNotContains(response, "Day 56")


def test_the_clock_for_a_customer_without_adr_rights_does_not_offer_the_scheme(client, large_business_customer):
    with time_machine.travel(datetime(2027, 1, 17, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(large_business_customer)
    with time_machine.travel(datetime(2027, 2, 9, 12, 0, tzinfo=UK), tick=False):
        log_in(client, large_business_customer)
        response = client.get(detail_url(complaint))
    with time_machine.travel(datetime(2027, 3, 20, 12, 0, tzinfo=UK), tick=False):
        log_in(client, large_business_customer)
        late = client.get(detail_url(complaint))

    assertContains(response, "we aim to resolve your complaint by 14 March 2027.")
    assertNotContains(response, "Otelo")
    assertContains(late, "Our 56-day period for this complaint ended on 14 March 2027.")
    assertNotContains(late, "Otelo")


def test_the_owner_downloads_an_attachment_safely(customer_client, customer):
    complaint = file_complaint(customer, attachments=[pdf("march bill.pdf")])
    attachment = complaint.attachments.get()

    response = customer_client.get(reverse("complaints:attachment", args=[complaint.tracking_number, attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="march bill.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assertContains(customer_client.get(detail_url(complaint)), "march bill.pdf")


def test_an_erased_attachment_is_not_found(customer_client, customer):
    complaint = file_complaint(customer, attachments=[pdf()])
    attachment = complaint.attachments.get()
    complaint.attachments.update(file="")  # as anonymising the complaint leaves it

    response = customer_client.get(reverse("complaints:attachment", args=[complaint.tracking_number, attachment.pk]))

    assert response.status_code == 404


def test_the_page_does_not_query_per_event_or_attachment(customer_client, customer, agent,
                                                         django_assert_num_queries):
    complaint = file_complaint(customer, attachments=[pdf()])
    services.add_staff_message(complaint=complaint, agent=agent, body="Could you send the bill?")
    with CaptureQueriesContext(connection) as baseline:
        customer_client.get(detail_url(complaint))
    for number in range(3):
        services.add_staff_message(complaint=complaint, agent=agent, body=f"Question {number}")
        services.add_customer_message(complaint=complaint, customer=customer, body=f"Answer {number}",
                                      attachments=[pdf(f"answer {number}.pdf")])

    with django_assert_num_queries(len(baseline)):
        response = customer_client.get(detail_url(complaint))

    assertContains(response, "answer 2.pdf", count=2)  # in the list and on its timeline event


def test_attachments_are_not_found_for_another_customer_and_need_a_login(client, customer, other_customer):
    complaint = file_complaint(customer, attachments=[pdf()])
    url = reverse("complaints:attachment", args=[complaint.tracking_number, complaint.attachments.get().pk])

    assertRedirects(client.get(url), f"{reverse('accounts:login')}?next={url}", fetch_redirect_response=False)
    log_in(client, other_customer)
    assert client.get(url).status_code == 404


def test_an_attachment_is_only_found_under_its_own_complaint(customer_client, customer):
    first = file_complaint(customer, attachments=[pdf()])
    second = file_complaint(customer)

    url = reverse("complaints:attachment", args=[second.tracking_number, first.attachments.get().pk])

    assert customer_client.get(url).status_code == 404


def test_attachments_on_internal_notes_are_not_for_the_customer(customer_client, complaint, agent):
    note = services.add_internal_note(complaint=complaint, agent=agent, body="Screenshot of the billing system")
    uploaded = pdf("internal.pdf")
    attachment = Attachment.objects.create(
        complaint=complaint, event=note, file=uploaded, original_name="internal.pdf",
        content_type="application/pdf", size=uploaded.size, sha256=Attachment.hash_of(uploaded), uploaded_by=agent,
    )

    assertNotContains(customer_client.get(detail_url(complaint)), "internal.pdf")
    url = reverse("complaints:attachment", args=[complaint.tracking_number, attachment.pk])
    assert customer_client.get(url).status_code == 404


def test_the_customer_replies_with_a_file(customer_client, complaint, agent):
    services.change_status(complaint=complaint, to=Status.AWAITING_CUSTOMER, actor=agent)

    response = customer_client.post(reverse("complaints:reply", args=[complaint.tracking_number]),
                                    {"body": "The meeting ID is 123-456-789.", "attachments": [pdf("log.pdf")]})

    assertRedirects(response, detail_url(complaint), fetch_redirect_response=False)
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING
    page = customer_client.get(detail_url(complaint))
    assertContains(page, "Thank you: your reply has been added to your complaint.")
    assertContains(page, "The meeting ID is 123-456-789.")
    assertContains(page, "log.pdf")


def test_a_reply_with_errors_keeps_the_text_and_asks_for_files_again(customer_client, complaint):
    response = customer_client.post(reverse("complaints:reply", args=[complaint.tracking_number]),
                                    {"body": "My reply text", "attachments": [pdf("fake.pdf", b"not a pdf")]})

    assert response.status_code == 200
    assertContains(response, "My reply text")
    assertContains(response, "“fake.pdf” is not a real PDF, PNG or JPEG file")
    assertContains(response, "Please choose your files again.")
    assert complaint.events.count() == 1


def test_a_closed_complaint_has_no_reply_form_and_refuses_replies(customer_client, complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    page = customer_client.get(detail_url(complaint))
    assertNotContains(page, "Send reply")
    assertNotContains(page, "Withdraw this complaint")
    assertContains(page, "This complaint is closed.")

    response = customer_client.post(reverse("complaints:reply", args=[complaint.tracking_number]),
                                    {"body": "Hello?"}, follow=True)
    assertContains(response, "This complaint is closed: make a new complaint or contact us.")
    assertNotContains(response, "Hello?")


def test_reply_only_accepts_posts(customer_client, complaint):
    assert customer_client.get(reverse("complaints:reply", args=[complaint.tracking_number])).status_code == 405


def test_withdrawing_needs_confirmation(customer_client, complaint):
    url = reverse("complaints:withdraw", args=[complaint.tracking_number])
    assertContains(customer_client.get(detail_url(complaint)), url)

    response = customer_client.post(url, {"reason": "Sorted"})

    assertContains(response, "Tick the box to confirm you want to withdraw this complaint.")
    assertContains(response, "Sorted")
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_the_customer_withdraws_their_complaint(customer_client, complaint):
    url = reverse("complaints:withdraw", args=[complaint.tracking_number])

    response = customer_client.post(url, {"reason": "The fault fixed itself.", "confirm": "on"}, follow=True)

    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assertContains(response, "Your complaint has been withdrawn.")
    assertContains(response, "The fault fixed itself.")
    assertContains(response, "This complaint was withdrawn on")


def test_another_customer_cannot_withdraw(client, complaint, other_customer):
    log_in(client, other_customer)

    response = client.post(reverse("complaints:withdraw", args=[complaint.tracking_number]), {"confirm": "on"})

    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_my_complaints_lists_only_mine_newest_first(customer_client, customer, other_customer):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        older = file_complaint(customer, description="Older")
    newer = file_complaint(customer, product="gotomypc")
    theirs = file_complaint(other_customer)

    response = customer_client.get(reverse("complaints:mine"))

    content = response.content.decode()
    assert content.index(newer.tracking_number) < content.index(older.tracking_number)
    assert theirs.tracking_number not in content
    assertContains(response, "GoToMyPC")
    assertContains(response, timezone.localtime(older.received_at, UK).strftime("%-d %B %Y"))


def test_my_complaints_is_paginated(customer_client, customer):
    numbers = [file_complaint(customer).tracking_number for _ in range(21)]

    first = customer_client.get(reverse("complaints:mine"))
    second = customer_client.get(reverse("complaints:mine"), {"page": 2})

    assert sum(number in first.content.decode() for number in numbers) == 20
    assert sum(number in second.content.decode() for number in numbers) == 1
    assertContains(first, "Page 1 of 2")


def test_my_complaints_sends_staff_to_the_admin(client, agent):
    log_in(client, agent)

    assertRedirects(client.get(reverse("complaints:mine")), reverse("admin:index"), fetch_redirect_response=False)
