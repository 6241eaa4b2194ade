"""Nothing consequential by accident: previews before a final position, stale pages refused, who else is here."""

from datetime import datetime, timedelta

import pytest
import time_machine
from pytest_django.asserts import assertContains, assertNotContains

import clock
from accounts.models import PreferredContact
from complaints import services
from complaints.models import EmailKind, EventKind, OutgoingEmail, PostalLetter, Status
from ombudsman import services as adr_services
from ombudsman.models import Letter, LetterKind
from tests.conftest import file_complaint
from tests.desk.conftest import client_for, latest_event_id, page_url, post_action

MORNING = datetime(2027, 3, 10, 10, 0, tzinfo=clock.UK)


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(morning, customer, agent):
    complaint = file_complaint(customer, received_at=MORNING - timedelta(days=20))
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    return complaint


def outcome(root_cause, **fields):
    return {"resolve-upheld": "upheld", "resolve-root_cause": root_cause.pk, "resolve-apology": "on",
            "resolve-credit_amount": "10.00", "resolve-refund_amount": "0.00", **fields}


def test_deadlock_shows_the_letter_as_the_customer_will_read_it_and_sends_nothing_yet(morning, agent_client,
                                                                                       complaint):
    response = post_action(agent_client, complaint, "deadlock", {"deadlock-reason": "We cannot refund the year."})

    assert response.status_code == 200
    text = response.context["preview"]["text"]
    assert "We cannot refund the year." in text and complaint.tracking_number in text
    assertContains(response, "By email to <strong>dana.customer@example.com</strong>", html=False)
    assertContains(response, 'name="confirm" value="yes"')
    complaint.refresh_from_db()
    assert complaint.status != Status.DEADLOCK and not Letter.objects.filter(complaint=complaint).exists()


def test_confirming_the_deadlock_writes_one_letter_even_when_sent_twice(morning, agent_client, complaint):
    data = {"seen_event": latest_event_id(complaint), "deadlock-reason": "Final.", "confirm": "yes"}
    first = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/deadlock/", data)
    second = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/deadlock/", data)

    assert first.status_code == 302
    assertContains(second, "changed since you opened it")
    assertContains(second, "Changed since you opened this page")
    assert Letter.objects.filter(complaint=complaint, kind=LetterKind.DEADLOCK).count() == 1


def test_back_to_edit_keeps_what_was_typed(morning, agent_client, complaint):
    response = post_action(agent_client, complaint, "deadlock", {"deadlock-reason": "Draft reason.", "edit": "yes"})

    assertContains(response, "Draft reason.")
    assert response.context["actions"][[a["name"] for a in response.context["actions"]].index("deadlock")]["open"]


def test_the_final_answer_is_shown_before_it_is_sent(morning, agent_client, complaint, root_cause):
    response = post_action(agent_client, complaint, "resolve", outcome(root_cause, **{
        "resolve-summary": "We credited your account."}))

    preview = response.context["preview"]
    assert preview["by"] == "email" and "We credited your account." in preview["text"]
    assert "£10.00" in preview["text"] and preview["subject"]
    assert not OutgoingEmail.objects.filter(complaint=complaint, kind=EmailKind.STATUS).exists()

    post_action(agent_client, complaint, "resolve", outcome(root_cause, **{
        "resolve-summary": "We credited your account.", "confirm": "yes"}))

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    sent = OutgoingEmail.objects.get(complaint=complaint, kind=EmailKind.STATUS)
    assert sent.text_body == preview["text"] and sent.subject == preview["subject"]


def test_a_final_answer_by_post_is_shown_with_the_address(morning, agent_client, customer, complaint, root_cause):
    customer.preferred_contact = PreferredContact.POST
    customer.save()

    response = post_action(agent_client, complaint, "resolve", outcome(root_cause, **{"resolve-summary": "Done."}))

    assert response.context["preview"]["by"] == "post"
    assertContains(response, customer.postcode)
    assert not PostalLetter.objects.filter(complaint=complaint).exclude(kind="acknowledgement").exists()


def test_a_reply_from_a_page_the_customer_changed_is_refused_and_shows_the_change(morning, agent_client,
                                                                                   customer, complaint):
    seen = latest_event_id(complaint)
    services.add_customer_message(complaint=complaint, customer=customer, body="Actually it was the March bill.")

    response = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/reply/",
                                 {"seen_event": seen, "reply-body": "We will refund February."})

    assert response.status_code == 200
    assertContains(response, "Changed since you opened this page")
    assertContains(response, "Actually it was the March bill.")
    assertContains(response, "We will refund February.")  # what the agent typed, kept
    assert not complaint.events.filter(body="We will refund February.").exists()

    again = post_action(agent_client, complaint, "reply", {"reply-body": "We will refund March."})

    assert again.status_code == 302
    assert complaint.events.filter(body="We will refund March.").count() == 1


def test_the_same_reply_sent_twice_is_sent_once(morning, agent_client, complaint):
    data = {"seen_event": latest_event_id(complaint), "reply-body": "We are on it."}

    for _ in range(2):
        agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/reply/", data)

    assert complaint.events.filter(kind=EventKind.MESSAGE, body="We are on it.").count() == 1
    assert OutgoingEmail.objects.filter(complaint=complaint, kind=EmailKind.REPLY).count() == 1


def test_the_sweeps_own_letter_does_not_make_the_page_stale(morning, agent_client, customer):
    complaint = file_complaint(customer, received_at=MORNING - timedelta(days=70))
    seen = latest_event_id(complaint)
    adr_services.create_adr_letter(complaint=complaint)
    assert complaint.events.filter(pk__gt=seen).exists()

    response = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/reply/",
                                 {"seen_event": seen, "reply-body": "Your letter is on its way."})

    assert response.status_code == 302


def test_an_action_without_the_page_it_came_from_is_refused(morning, agent_client, complaint):
    response = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/note/", {"note-body": "Hi."})

    assertContains(response, "This page is out of date: reload it")
    assertContains(response, "Hi.</textarea>")  # what was typed, kept
    assert not complaint.events.filter(kind=EventKind.NOTE).exists()


def test_the_page_says_who_else_opened_it_in_the_last_few_minutes(morning, agent_client, other_agent, complaint):
    client_for(other_agent).get(page_url(complaint))
    morning.shift(timedelta(minutes=2))

    assertContains(agent_client.get(page_url(complaint)), "<strong>Bea Agent</strong> opened this complaint")

    morning.shift(timedelta(minutes=10))
    assertNotContains(agent_client.get(page_url(complaint)), "Bea Agent</strong> opened this complaint")


def test_a_change_made_while_the_preview_was_read_is_shown_even_after_back_to_edit(morning, agent_client, customer,
                                                                                    complaint):
    seen = latest_event_id(complaint)
    url = f"/admin/complaints/complaint/{complaint.pk}/act/deadlock/"
    agent_client.post(url, {"seen_event": seen, "deadlock-reason": "Final."})
    services.add_customer_message(complaint=complaint, customer=customer, body="Wait! I found the receipt.")

    edited = agent_client.post(url, {"seen_event": seen, "deadlock-reason": "Final.", "edit": "yes"})

    assertContains(edited, "Wait! I found the receipt.")
    assertContains(edited, "Changed since you opened this page")
    complaint.refresh_from_db()
    assert complaint.status != Status.DEADLOCK


def test_an_action_a_colleague_made_impossible_shows_the_change_and_keeps_the_text(morning, agent_client, other_agent,
                                                                                    complaint, root_cause):
    seen = latest_event_id(complaint)
    services.resolve_complaint(complaint=complaint, agent=other_agent, summary="Bea resolved it.", upheld="upheld",
                               root_cause=root_cause)

    response = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/reply/",
                                 {"seen_event": seen, "reply-body": "My long answer."})

    assert response.status_code == 200
    assertContains(response, "Bea resolved it.")
    assertContains(response, "My long answer.")


def test_the_post_rooms_bookkeeping_does_not_make_a_page_stale(morning, agent_client, customer, agent, complaint):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    services.add_staff_message(complaint=complaint, agent=agent, body="A letter for you.")
    seen = latest_event_id(complaint)
    letter = PostalLetter.objects.filter(complaint=complaint).latest("pk")
    services.mark_letter_posted(letter=letter, actor=agent)

    response = agent_client.post(f"/admin/complaints/complaint/{complaint.pk}/act/note/",
                                 {"seen_event": seen, "note-body": "Posted."})

    assert response.status_code == 302
