"""The desk's "Emails received": mail to review first, each message's page, its original, and the
agents' actions (attach, make a complaint, dismiss) with their refusals on the form."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import CustomerType, User
from complaints import services as complaint_services
from complaints.models import AccessKind, Complaint, ComplaintAccess, EmailKind, Event, EventKind, Status
from mailin import services
from mailin.models import InboundMessage, MailStatus
from tests.conftest import PASSWORD, file_complaint
from tests.desk.conftest import client_for
from tests.mailin.test_services import ARRIVED, PDF, acknowledgement_of, email_from, read_back, saved

LIST = reverse("admin:mailin_inboundmessage_changelist")


@pytest.fixture
def agent_client(agent):
    return client_for(agent)


def message_page(message):
    return reverse("admin:mailin_inboundmessage_change", args=[message.pk])


def act(client, message, action, data):
    url = reverse("admin:mailin_act", args=[message.pk, action])
    return client.post(url, {f"{action}-{name}": value for name, value in data.items()})


def to_review(raw, **fields):
    message = saved(raw, **fields)
    services.process_pending()
    return read_back(message)


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_opens_on_mail_to_review_and_shows_the_rest_when_asked(agent_client, customer):
    complaint = file_complaint(customer)
    waiting = to_review(email_from("stranger@example.net", subject="Please call me"))
    to_review(email_from(customer.email, "Thanks.", subject="Thread reply",
                         In_Reply_To=acknowledgement_of(complaint).message_id))

    listed = agent_client.get(LIST)

    assertContains(listed, "Emails received")
    assertContains(listed, "Please call me")
    assertContains(listed, "Unknown sender: no customer on record has the address stranger@example.net.")
    assertNotContains(listed, "Thread reply")
    assertContains(agent_client.get(LIST, {"status": "all"}), "Thread reply")
    assertContains(agent_client.get(LIST, {"q": "thread"}), "Thread reply")
    assertContains(agent_client.get(LIST, {"status": "no-such-status", "p": "x"}), "Thread reply")
    assert waiting.status == MailStatus.REVIEW


def test_the_list_counts_only_a_few_pages_ahead(agent_client, monkeypatch):
    monkeypatch.setattr(admin.site._registry[InboundMessage], "list_per_page", 1)
    for number in range(8):
        to_review(email_from(f"stranger{number}@example.net"))

    assertContains(agent_client.get(LIST), "More than 6")
    assertContains(agent_client.get(LIST, {"q": "stranger"}), "More than 6 results")


def test_customers_never_reach_the_list_and_staff_without_the_complaints_permissions_are_refused(
        client, customer, db):
    message = to_review(email_from("stranger@example.net"))
    client.force_login(customer)
    assert client.get(LIST).status_code == 302
    clerk = User.objects.create_user(email="clerk@example.com", password=PASSWORD, full_name="Clerk", is_staff=True)
    clerk_client = client_for(clerk)

    assert clerk_client.get(LIST).status_code == 403
    assert clerk_client.get(message_page(message)).status_code == 403
    assert act(clerk_client, message, "dismiss", {"reason": "Spam."}).status_code == 403
    assert read_back(message).status == MailStatus.REVIEW


# --- a message's page and its original -------------------------------------------------------------------------


def test_the_page_shows_headers_and_trimmed_text_escaped_never_the_html(agent_client):
    markup = "<p>My <b>bill</b> is wrong</p><script>alert('x')</script>"
    html_only = to_review(email_from("stranger@example.net", html=markup, subject="<i>Bill</i>"))
    plain = to_review(email_from("stranger@example.net", "Fix <this> please.\n\n-- \nSigned", subject="Plain",
                                 files=[("bill.pdf", PDF), ("run.exe", b"MZ")]))

    shown = agent_client.get(message_page(html_only))
    assertContains(shown, "HTML only. Its words, without the HTML")
    assertContains(shown, "My bill is wrong")
    assertContains(shown, "&lt;i&gt;Bill&lt;/i&gt;")
    assertNotContains(shown, "<script>alert")
    assertNotContains(shown, "<b>bill</b>")
    assertContains(shown, "<dt>Message-ID</dt>", html=False)
    shown = agent_client.get(message_page(plain))
    assertContains(shown, "Fix &lt;this&gt; please.")
    assertNotContains(shown, "Signed")
    assertContains(shown, "<li>bill.pdf (", html=False)
    assertContains(shown, "Not attached: “run.exe” can’t be attached")


def test_the_original_downloads_whole_and_counts_as_seeing_its_complaint(agent_client, agent, customer):
    complaint = file_complaint(customer)
    raw = email_from(customer.email, "Thanks.", In_Reply_To=acknowledgement_of(complaint).message_id)
    attached = to_review(raw)
    waiting = to_review(email_from("stranger@example.net"))

    response = agent_client.get(reverse("admin:mailin_original", args=[attached.pk]))
    assert b"".join(response.streaming_content) == raw
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="email-{attached.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    agent_client.get(message_page(attached))
    b"".join(agent_client.get(reverse("admin:mailin_original", args=[waiting.pk])).streaming_content)
    agent_client.get(message_page(waiting))

    assert list(ComplaintAccess.objects.values_list("staff", "complaint", "kind")) == [
        (agent.pk, complaint.pk, AccessKind.EMAIL_RECEIVED)] * 2


def test_a_message_too_big_to_read_shows_its_headers_and_offers_its_original(agent_client):
    message = to_review(email_from("stranger@example.net", subject="Huge scans"), size=30 * 1024 * 1024)

    shown = agent_client.get(message_page(message))

    assertContains(shown, "Too big to read here: download the original to read it.")
    assertContains(shown, "Huge scans")
    assertContains(shown, reverse("admin:mailin_original", args=[message.pk]))


def test_a_message_whose_original_is_gone_still_opens_and_can_only_be_dismissed(agent_client, customer):
    complaint = file_complaint(customer)
    message = to_review(email_from("stranger@example.net"))
    message.raw.storage.delete(message.raw.name)

    assertContains(agent_client.get(message_page(message)), "The original of this email is no longer kept.")
    assert agent_client.get(reverse("admin:mailin_original", args=[message.pk])).status_code == 404
    refused = act(agent_client, message, "attach", {"tracking_number": complaint.tracking_number})
    assertContains(refused, "nothing to add to a complaint: dismiss it, saying why.")
    assert act(agent_client, message, "dismiss", {"reason": "Lost from storage."}).status_code == 302


# --- the actions, as services ---------------------------------------------------------------------------


def test_a_new_business_customer_needs_its_number_of_workers(agent):
    message = saved(email_from("ops@firm.example", "Our lines are down."))
    services.process_pending()

    with pytest.raises(ValidationError) as refused:
        services.make_complaint(message=message, actor=agent, full_name="Firm Ops", customer_type=CustomerType.BUSINESS)
    assert "business_workers" in refused.value.error_dict
    complaint = services.make_complaint(message=message, actor=agent, full_name="Firm Ops",
                                        customer_type=CustomerType.BUSINESS, business_workers=8)

    assert (complaint.customer.customer_type, complaint.customer.business_workers, complaint.adr_rights) == (
        CustomerType.BUSINESS, 8, True)


def test_an_address_already_on_record_or_a_nameless_new_customer_is_refused(customer, agent):
    message = saved(email_from(customer.email, "Down again."))
    services.process_pending()

    with pytest.raises(ValidationError, match="already on record"):
        services.make_complaint(message=message, actor=agent, full_name="Dana Again")
    other = saved(email_from("nameless@example.net", "Down."))
    services.process_pending()
    with pytest.raises(ValidationError) as refused:
        services.make_complaint(message=other, actor=agent, full_name="  ")
    assert "full_name" in refused.value.error_dict
    assert not Complaint.objects.exists() and not User.objects.filter(email="nameless@example.net").exists()


def test_html_only_mail_waits_for_review_and_its_timeline_entry_never_holds_html(customer, agent, client):
    complaint = file_complaint(customer)
    markup = "<p>The <b>engineer</b> never came.</p><script>alert('x')</script><img src=x onerror=alert(1)>"
    message = saved(email_from(customer.email, html=markup, In_Reply_To=acknowledgement_of(complaint).message_id))

    services.process_pending()
    assert read_back(message).status == MailStatus.REVIEW and message.reason.startswith("HTML only")

    event = services.attach_to_complaint(message=message, complaint=complaint, actor=agent)
    assert event.body == "The engineer never came."
    client.force_login(customer)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "The engineer never came." in page
    assert "<b>engineer" not in page and "alert(" not in page


def test_a_complaint_made_from_a_message_too_big_to_read_says_so_instead_of_its_text(customer, agent):
    message = to_review(email_from(customer.email, "Scans attached.", subject="Scans"), size=30 * 1024 * 1024)

    complaint = services.make_complaint(message=message, actor=agent, customer=customer)

    assert complaint.description == ("Subject: Scans\n\nThis email was too large for us to show its text here. Our "
                                     "complaints team reads it in full.")
    assert not complaint.attachments.exists()


def test_a_mail_server_clock_running_ahead_never_makes_a_complaint_received_in_the_future(customer, agent):
    message = to_review(email_from(customer.email, "Down."), arrived_at=timezone.now() + timedelta(minutes=2))

    complaint = services.make_complaint(message=message, actor=agent, customer=customer)

    assert complaint.received_at <= timezone.now() < message.arrived_at


def test_an_agent_may_still_make_a_complaint_from_mail_the_portal_ignored(customer, agent):
    message = to_review(email_from(customer.email, "Out of office, but also: my line is down.", X_Autoreply="yes"))
    assert message.status == MailStatus.IGNORED

    complaint = services.make_complaint(message=message, actor=agent, customer=customer)

    assert read_back(message).status == MailStatus.COMPLAINT and message.complaint == complaint


def test_an_agent_attaches_an_email_once_and_a_second_submit_is_refused(customer, agent):
    complaint = file_complaint(customer)
    message = saved(email_from("dana.at.work@example.org", "From my work address: the bill."))
    services.process_pending()

    event = services.attach_to_complaint(message=message, complaint=complaint, actor=agent)
    with pytest.raises(ValidationError, match="already dealt with: added to a complaint"):
        services.attach_to_complaint(message=message, complaint=complaint, actor=agent)

    assert (event.actor, event.body) == (customer, "From my work address: the bill.")
    assert complaint.events.filter(kind=EventKind.MESSAGE).count() == 1
    message = read_back(message)
    assert (message.status, message.event, message.handled_by) == (MailStatus.REPLY, event, agent)
    assert message.reason.startswith("Unknown sender")  # why it waited stays on record


def test_an_agent_cannot_attach_to_a_closed_complaint(customer, agent):
    complaint = file_complaint(customer)
    complaint_services.change_status(complaint=complaint, to=Status.WITHDRAWN, actor=customer)
    message = saved(email_from(customer.email, "Sorry, one more thing."))
    services.process_pending()

    with pytest.raises(ValidationError, match="is withdrawn: reopen it first"):
        services.attach_to_complaint(message=message, complaint=complaint, actor=agent)
    assert read_back(message).status == MailStatus.REVIEW


def test_dismissing_needs_a_reason_keeps_why_it_waited_and_acts_once(agent):
    message = saved(email_from("sales@spam.example", "Buy our leads."))
    services.process_pending()

    with pytest.raises(ValidationError):
        services.dismiss(message=message, actor=agent, reason=" ")
    services.dismiss(message=message, actor=agent, reason="Advertising.")
    with pytest.raises(ValidationError, match="already dealt with"):
        services.dismiss(message=message, actor=agent, reason="Again.")

    message = read_back(message)
    assert (message.status, message.handled_by, message.complaint) == (MailStatus.DISMISSED, agent, None)
    assert message.reason.startswith("Advertising.\n\nIt waited because: Unknown sender")
    assert not Event.objects.filter(actor=agent).exists()



# --- the actions, on the page ---------------------------------------------------------------------------


def test_attaching_takes_the_tracking_number_however_typed_and_a_second_submit_is_refused_on_the_form(
        agent_client, agent, customer):
    complaint = file_complaint(customer)
    message = to_review(email_from("dana.at.work@example.org", "The bill is attached.", files=[("bill.pdf", PDF)]))
    typed = complaint.tracking_number.lower().replace("-", " ")

    done = act(agent_client, message, "attach", {"tracking_number": typed})
    again = act(agent_client, message, "attach", {"tracking_number": typed})

    assert done.status_code == 302 and done["Location"] == message_page(message)
    event = complaint.events.get(kind=EventKind.MESSAGE)
    assert (event.body, event.actor, [file.original_name for file in event.attachments.all()]) == (
        "The bill is attached.", customer, ["bill.pdf"])
    assert again.status_code == 200
    assertContains(again, "This email was already dealt with: added to a complaint.")
    assertContains(again, f'value="{typed}"')
    assert complaint.events.filter(kind=EventKind.MESSAGE).count() == 1
    assert read_back(message).handled_by == agent


@pytest.mark.parametrize(("typed", "says"), [
    ("LMI-0000-0001", "This is not a tracking number we gave"),
    ("", "This field is required."),
])
def test_a_wrong_tracking_number_is_refused_on_the_form_with_what_was_typed(agent_client, typed, says):
    message = to_review(email_from("stranger@example.net"))

    response = act(agent_client, message, "attach", {"tracking_number": typed})

    assert response.status_code == 200
    assertContains(response, says)
    assertContains(response, f'name="attach-tracking_number" value="{typed}"' if typed else "attach-tracking_number")
    assert read_back(message).status == MailStatus.REVIEW


def test_attaching_to_a_closed_complaint_is_refused_on_the_form(agent_client, customer, agent):
    complaint = file_complaint(customer)
    complaint_services.change_status(complaint=complaint, to=Status.WITHDRAWN, actor=customer)
    message = to_review(email_from("stranger@example.net"))

    response = act(agent_client, message, "attach", {"tracking_number": complaint.tracking_number})

    assert response.status_code == 200
    assertContains(response, f"{complaint.tracking_number} is withdrawn: reopen it first")
    assert read_back(message).status == MailStatus.REVIEW


def test_the_page_suggests_the_complaint_a_reply_answers(agent_client, customer):
    complaint = file_complaint(customer)
    message = to_review(email_from("someone.else@example.net", "Me too.",
                                   In_Reply_To=acknowledgement_of(complaint).message_id))

    assertContains(agent_client.get(message_page(message)),
                   f'name="attach-tracking_number" value="{complaint.tracking_number}"')


def test_making_a_complaint_for_the_customer_the_address_matches(agent_client, agent, customer):
    message = to_review(email_from(customer.email, "Down again."), arrived_at=ARRIVED)
    shown = agent_client.get(message_page(message))
    assertContains(shown, f"{customer.full_name} &lt;{customer.email}&gt;, on record")

    response = act(agent_client, message, "make", {"customer": customer.pk, "customer_type": "domestic"})

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.received_at) == (customer, ARRIVED)
    assert read_back(message).status == MailStatus.COMPLAINT
    assert act(agent_client, message, "make", {"customer": customer.pk, "customer_type": "domestic"}).status_code \
        == 200
    assert Complaint.objects.count() == 1


def test_making_a_complaint_for_a_new_customer_needs_a_name_and_keeps_what_was_typed(agent_client):
    message = to_review(email_from("new.person@example.net", "You cut me off."), arrived_at=ARRIVED)

    refused = act(agent_client, message, "make", {"customer": "new", "full_name": "", "customer_type": "business",
                                                  "business_workers": ""})
    assert refused.status_code == 200
    assertContains(refused, "Give the customer&#x27;s name.")
    assertContains(refused, '<option value="business" selected>')
    refused = act(agent_client, message, "make", {"customer": "new", "full_name": "Nell Person",
                                                  "customer_type": "business", "business_workers": ""})
    assertContains(refused, "Give the number of workers")
    assertContains(refused, 'value="Nell Person"')
    done = act(agent_client, message, "make", {"customer": "new", "full_name": "Nell Person",
                                               "customer_type": "domestic"})

    assert done.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.customer.full_name, complaint.customer.email, complaint.received_at) == (
        "Nell Person", "new.person@example.net", ARRIVED)
    assert complaint.emails.filter(kind=EmailKind.OTHER, to="new.person@example.net").exists()


def test_making_a_complaint_for_another_customer_on_record_by_their_address(agent_client, customer):
    message = to_review(email_from("dana.at.work@example.org", "Down again."))

    refused = act(agent_client, message, "make", {"customer": "other", "customer_email": "nobody@example.org",
                                                  "customer_type": "domestic"})
    assertContains(refused, "No customer on record has this email address.")
    done = act(agent_client, message, "make", {"customer": "other", "customer_email": customer.email,
                                               "customer_type": "domestic"})

    assert done.status_code == 302 and Complaint.objects.get().customer == customer


def test_dismissing_needs_a_reason_and_keeps_the_original(agent_client, agent):
    raw = email_from("sales@spam.example", "Buy our leads.")
    message = to_review(raw)

    refused = act(agent_client, message, "dismiss", {"reason": ""})
    assert refused.status_code == 200
    assertContains(refused, "This field is required.")
    done = act(agent_client, message, "dismiss", {"reason": "Advertising."})

    assert done.status_code == 302
    message = read_back(message)
    assert (message.status, message.handled_by) == (MailStatus.DISMISSED, agent)
    assert message.raw.read() == raw
    assertNotContains(agent_client.get(message_page(message)), "Dismiss: not for a complaint")


def test_an_action_is_a_post(agent_client):
    message = to_review(email_from("stranger@example.net"))

    assert agent_client.get(reverse("admin:mailin_act", args=[message.pk, "dismiss"])).status_code == 405
    assert agent_client.post(reverse("admin:mailin_act", args=[message.pk, "nonsense"])).status_code == 404
    assert agent_client.post(message_page(message), {"status": "dismissed"}).status_code == 403
