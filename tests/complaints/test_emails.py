from datetime import datetime

import time_machine
from django.conf import settings

from clock import UK
from complaints import services
from complaints.models import EmailKind
from tests.conftest import file_complaint, make_customer


def acknowledgement_for(customer):
    with time_machine.travel(datetime(2027, 1, 17, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(customer)
    return complaint, complaint.emails.get(kind=EmailKind.ACKNOWLEDGEMENT)


def test_the_acknowledgement_gives_the_tracking_number_dates_scheme_and_portal_link(customer):
    complaint, email = acknowledgement_for(customer)
    link = f"{settings.SITE_URL}/complaints/{complaint.tracking_number}/"

    assert email.subject == f"We have received your complaint {complaint.tracking_number}"
    for body in (email.text_body, email.html_body):
        assert complaint.tracking_number in body
        assert "Received" in body and "17 January 2027" in body
        assert "14 March 2027" in body
        assert "Office of the Telecommunications Ombudsman (Otelo)" in body
        assert "www.ombudsman-services.org" in body
        assert "please use our complaints website rather than replying to this email" in body
        assert link in body
    assert f'href="{link}"' in email.html_body


def test_the_acknowledgement_for_a_customer_without_adr_rights_names_no_scheme(large_business_customer):
    _, email = acknowledgement_for(large_business_customer)

    assert "Otelo" not in email.text_body
    assert "Otelo" not in email.html_body
    assert "We aim to resolve it by 14 March 2027." in email.text_body


def test_the_plain_text_email_is_not_html_escaped_and_the_html_one_is(db):
    customer = make_customer("siobhan@example.com", "Siobhán O'Brien <Sales & Co>")

    _, email = acknowledgement_for(customer)

    assert "Dear Siobhán O'Brien <Sales & Co>," in email.text_body
    assert "Dear Siobhán O&#x27;Brien &lt;Sales &amp; Co&gt;," in email.html_body


def test_a_reply_email_carries_the_message_and_asks_for_replies_in_the_portal(complaint, agent):
    services.add_staff_message(complaint=complaint, agent=agent, body="We've credited £5 & fixed it.")

    email = complaint.emails.get(kind=EmailKind.REPLY)

    assert email.subject == f"New message about your complaint {complaint.tracking_number}"
    assert "We've credited £5 & fixed it." in email.text_body
    assert "We&#x27;ve credited £5 &amp; fixed it." in email.html_body
    for body in (email.text_body, email.html_body):
        assert "please use our complaints website rather than replying to this email" in body
        assert f"{settings.SITE_URL}{complaint.get_absolute_url()}" in body
