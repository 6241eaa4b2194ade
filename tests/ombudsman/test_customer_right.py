"""The customer's right to ADR against the provider's duty, as every screen shows it.

A complaint resolved before its waiting period ended may still go to the scheme once the
period is over (its final answer says so); a withdrawn one may not; a deadlocked one is
"customer told", never overdue.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from clock import ClockState
from complaints import services
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Referral
from tests.conftest import file_complaint
from tests.desk.conftest import client_for, page_url, post_action
from tests.ombudsman.conftest import uk

RECEIVED = uk(2026, 3, 2, 9)
ADR_OPENS = uk(2026, 4, 27)  # day 56
AFTER = ADR_OPENS + timedelta(days=3, hours=10)


def refer_url(complaint):
    return reverse("ombudsman:refer", args=[complaint.tracking_number])


@pytest.fixture
def resolved_early(customer, agent):
    """Resolved on day 20, before the waiting period ended, with no letter."""
    with time_machine.travel(RECEIVED, tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(RECEIVED + timedelta(days=20), tick=False):
        services.resolve_complaint(complaint=complaint, agent=agent, summary="We fixed the meetings.",
                                   upheld="upheld")
    complaint.refresh_from_db()
    return complaint


def test_the_final_answer_names_the_date_and_the_complaints_own_period(resolved_early):
    answer = resolved_early.events.get(data__final_answer=True).body
    assert "You can contact Otelo from 27 April 2026, 8 weeks after you first complained" in answer


def test_after_the_period_a_resolved_complaints_customer_is_shown_the_way(client, customer, resolved_early):
    client.force_login(customer)
    with time_machine.travel(AFTER, tick=False):
        assert resolved_early.clock_state() == ClockState.CLOSED_IN_TIME
        assert resolved_early.is_adr_eligible()
        page = client.get(refer_url(resolved_early))
        detail = client.get(resolved_early.get_absolute_url()).text
    assert page.status_code == 200
    assert "Tell us you have contacted Otelo" in page.text
    assert "You can take this complaint to the Office of the Telecommunications Ombudsman (Otelo) now" in detail
    assert "If you are not happy with our final answer" in detail
    assert 'id="ombudsman-panel"' in detail and refer_url(resolved_early) in detail
    # No letter was written: no referral deadline is stated.
    assert "You have until" not in page.text and "months from the date of the letter" not in page.text


def test_before_the_period_a_resolved_complaint_says_when_the_way_opens(client, customer, resolved_early):
    client.force_login(customer)
    with time_machine.travel(ADR_OPENS - timedelta(seconds=1), tick=False):
        assert client.get(refer_url(resolved_early)).status_code == 404
        detail = client.get(resolved_early.get_absolute_url()).text
    assert "If you are not happy with our final answer, you can take it to Otelo from 27 April 2026" in detail


def test_agents_see_the_right_and_record_the_referral(agent, resolved_early):
    agent_client = client_for(agent)
    with time_machine.travel(AFTER, tick=False):
        page = agent_client.get(page_url(resolved_early)).text
        assert '<dd id="desk-may-refer">Yes</dd>' in page
        assert "Record an ombudsman referral" in page
        response = post_action(agent_client, resolved_early, "record_referral",
                                     {"record_referral-referred_on": "2026-04-29"})
    assert response.status_code == 302
    assert Referral.objects.get(complaint=resolved_early).referred_on.isoformat() == "2026-04-29"


def test_a_withdrawn_complaint_has_no_way_to_the_ombudsman(client, customer, agent):
    with time_machine.travel(RECEIVED, tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(RECEIVED + timedelta(days=10), tick=False):
        services.withdraw_complaint(complaint=complaint, customer=customer, reason="Sorted it myself.")
    complaint.refresh_from_db()
    client.force_login(customer)
    with time_machine.travel(AFTER, tick=False):
        assert not complaint.is_adr_eligible()
        assert client.get(refer_url(complaint)).status_code == 404
        desk = client_for(agent).get(page_url(complaint)).text
    assert '<dd id="desk-may-refer">No</dd>' in desk
    assert "Record an ombudsman referral" not in desk


def test_a_deadlocked_complaint_is_customer_told_and_never_overdue(client, customer, agent):
    with time_machine.travel(RECEIVED, tick=False):
        complaint = file_complaint(customer)
    with time_machine.travel(RECEIVED + timedelta(days=30), tick=False):
        adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    complaint.refresh_from_db()
    with time_machine.travel(AFTER + timedelta(days=60), tick=False):
        sweep.run()
        assert complaint.clock_state() == ClockState.CUSTOMER_TOLD
        desk = client_for(agent).get(page_url(complaint)).text
    assert "d left" not in desk and "Overdue" not in desk and "Breach" not in desk
    assert "Customer told (emailed)" in desk
    assert ("Deadlock letter written on 1 Apr 2026 (emailed); the customer may refer until 1 Apr 2027"
            in desk)
    assert '<dd id="desk-may-refer">Yes</dd>' in desk
