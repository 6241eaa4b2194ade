"""What a fresh-eyes review of the desk found: merged duplicates, tabs and searches, answers by phone."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from complaints import services
from complaints.models import AccessKind, ComplaintAccess, Status
from desk import queue
from mailin.models import InboundMessage, MailStatus
from tests.conftest import file_complaint
from tests.desk.conftest import list_url, page_url, post_action


@pytest.fixture
def pair(customer, agent):
    """A web complaint, and the same matter phoned in the day before, merged into it."""
    survivor = file_complaint(customer)
    duplicate = file_complaint(customer, received_at=timezone.now() - timedelta(days=1), logged_by=agent,
                               channel="phone", backdate_reason="She rang yesterday.")
    services.merge_complaints(survivor=survivor, duplicate=duplicate, actor=agent)
    return survivor, duplicate


def test_a_merged_duplicate_takes_no_action_on_the_desk_or_in_the_services(agent_client, agent, pair):
    survivor, duplicate = pair

    page = agent_client.get(page_url(duplicate))

    assert page.context["actions"] == []
    assertContains(page, f"Merged into <a href=\"{page_url(survivor)}\">{survivor.tracking_number}</a>", html=False)
    with pytest.raises(services.TransitionNotAllowed, match=survivor.tracking_number):
        services.add_staff_message(complaint=duplicate, agent=agent, body="Hello")
    response = post_action(agent_client, duplicate, "note", {"note-body": "Hi."})
    assertContains(response, "is not possible on this complaint now")


def test_a_customers_reply_to_a_merged_number_is_kept_on_the_survivor(customer_client, pair):
    survivor, duplicate = pair

    response = customer_client.post(f"/complaints/{duplicate.tracking_number}/reply/",
                                    {"body": "Sent from my old page."}, follow=True)

    assertContains(response, "your reply has been added")
    assert survivor.events.filter(body="Sent from my old page.").exists()


def test_the_survivors_page_records_a_look_at_the_duplicate_too(agent_client, agent, pair):
    survivor, duplicate = pair

    agent_client.get(page_url(survivor))

    looked = set(ComplaintAccess.objects.filter(staff=agent, kind=AccessKind.COMPLAINT_PAGE)
                 .values_list("complaint_id", flat=True))
    assert looked == {survivor.pk, duplicate.pk}


def test_a_search_from_a_tab_finds_closed_complaints_and_the_status_filter_works(agent_client, customer):
    withdrawn = file_complaint(customer)
    services.withdraw_complaint(complaint=withdrawn, customer=customer)

    searched = agent_client.get(list_url(), {"view": "all", "q": withdrawn.tracking_number})
    by_status = agent_client.get(list_url(), {"view": "all", "status": "withdrawn"})

    assert [c.pk for c in searched.context["cl"].result_list] == [withdrawn.pk]
    assert [c.pk for c in by_status.context["cl"].result_list] == [withdrawn.pk]


def test_an_answer_by_phone_takes_the_complaint_off_customer_replied(agent_client, customer, agent):
    complaint = file_complaint(customer)
    services.add_customer_message(complaint=complaint, customer=customer, body="Ring me please.")
    assert queue.reason(complaint.__class__.objects.get(pk=complaint.pk)) == queue.Reason.CUSTOMER

    response = post_action(agent_client, complaint, "answered", {"answered-note": "Rang her at 10:15."})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.awaiting_reply_since is None
    note = complaint.events.get(body="Rang her at 10:15.")
    assert not note.visible_to_customer
    assert not complaint.emails.exclude(kind="acknowledgement").exists()


def test_a_customer_message_after_the_answer_still_waits(customer, agent):
    complaint = file_complaint(customer)
    services.add_customer_message(complaint=complaint, customer=customer, body="First.")
    earlier = timezone.now() - timedelta(minutes=5)

    services.mark_customer_answered(complaint=complaint, at=earlier)

    complaint.refresh_from_db()
    assert complaint.awaiting_reply_since is not None


def test_no_drop_down_on_the_desk_says_dashes(agent_client, customer, other_agent):
    file_complaint(customer)
    pages = [agent_client.get("/admin/complaints/complaint/add/?customer=new"),
             agent_client.post(list_url() + "?view=all", {"action": "assign_to_agent", "index": 0,
                                                          "_selected_action": [customer.complaints.get().pk]})]
    for page in pages:
        assertNotContains(page, "---------")
    assertContains(pages[0], "Choose the product or service")
    assertContains(pages[1], "Choose an agent")


def test_a_status_the_merge_closed_is_said_in_the_list(agent_client, pair):
    _survivor, duplicate = pair

    response = agent_client.get(list_url(), {"status": Status.MERGED})

    assert [c.pk for c in response.context["cl"].result_list] == [duplicate.pk]



def test_the_list_says_how_much_mail_waits_for_review(agent_client):
    for uid, status in ((1, MailStatus.REVIEW), (2, MailStatus.REVIEW), (3, MailStatus.IGNORED)):
        InboundMessage.objects.create(mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=uid,
                                      arrived_at=timezone.now(), size=3, raw=ContentFile(b"Hi.", name="m.eml"),
                                      status=status)

    response = agent_client.get(list_url())

    assertContains(response, 'id="desk-mail-to-review">Mail to review\n      (2)</a>', html=False)
