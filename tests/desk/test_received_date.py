"""The desk's "Correct the date received": the service's refusal comes back on the form."""

import time_machine
from pytest_django.asserts import assertContains

from complaints.models import EventKind
from ombudsman import services as adr_services
from tests.conftest import file_complaint
from tests.desk.conftest import page_url, post_action
from tests.ombudsman.conftest import uk

REASON = "Logged the wrong day, says the customer."


def post_date(client, complaint, received_at, reason=REASON, **kwargs):
    return post_action(client, complaint, "change_received_date", {
        "change_received_date-received_at": received_at, "change_received_date-reason": reason,
    }, **kwargs)


def test_a_correction_that_would_move_adr_later_is_shown_on_the_form_with_the_reason_kept(agent_client, customer):
    with time_machine.travel(uk(2026, 9, 1, 10), tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(uk(2026, 10, 27, 9), tick=False):
        adr_services.create_adr_letter(complaint=complaint)

    with time_machine.travel(uk(2026, 11, 3, 10)):
        response = post_date(agent_client, complaint, "2026-11-03T09:00")

    # The complaint's page again with the form open, its message and what the agent typed; the
    # status is the one every refused desk action answers with (desk.complaint_page.act).
    assertContains(response, "The rules do not allow this")
    assertContains(response, "ADR opens on 27 October 2026 for this complaint")
    assertContains(response, "never moves later")
    assertContains(response, REASON)
    complaint.refresh_from_db()
    assert complaint.adr_opens_at == uk(2026, 10, 27)
    assert not complaint.events.filter(kind=EventKind.RECEIVED_DATE_CHANGED).exists()


def test_an_earlier_date_is_recorded_and_the_agent_told_the_new_adr_date(agent_client, customer):
    with time_machine.travel(uk(2026, 11, 20, 10), tick=False):
        complaint = file_complaint(customer)

    with time_machine.travel(uk(2026, 11, 21, 10)):
        response = post_date(agent_client, complaint, "2026-11-02T09:30", follow=True)

    assert response.redirect_chain[-1][0] == page_url(complaint)
    assertContains(response, "ADR now opens earlier, on 28 December 2026")
    complaint.refresh_from_db()
    assert complaint.adr_opens_at == uk(2026, 12, 28)
    assert complaint.emails.filter(subject__contains="you can go to the ombudsman sooner").exists()
