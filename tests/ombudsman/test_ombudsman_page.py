"""The customer's "Take your complaint to the ombudsman" page."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Event, EventKind
from ombudsman import services, sweep
from ombudsman.models import Referral
from tests.conftest import file_complaint
from tests.ombudsman.conftest import file_due_complaint, uk


def page_url(complaint):
    return reverse("ombudsman:refer", args=[complaint.tracking_number])


@pytest.fixture
def march_complaint(customer):
    with time_machine.travel(uk(2026, 3, 2, 9), tick=False):
        return file_complaint(customer)


def test_the_page_is_404_before_eligibility_and_present_after(client, customer, march_complaint):
    client.force_login(customer)
    with time_machine.travel(uk(2026, 4, 27) - timedelta(seconds=1), tick=False):
        assert client.get(page_url(march_complaint)).status_code == 404
        detail = client.get(march_complaint.get_absolute_url()).content.decode()
        assert page_url(march_complaint) not in detail
    with time_machine.travel(uk(2026, 4, 27, 0, 1), tick=False):
        response = client.get(page_url(march_complaint))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Office of the Telecommunications Ombudsman (Otelo)" in html
        assert "free</strong> for you to use" in html
        assert "0845 050 1614" in html
        sweep.run()
        html = client.get(page_url(march_complaint)).content.decode()
        assert "27 April 2027" in html  # 12 months from the letter of 27 April 2026
        detail = client.get(march_complaint.get_absolute_url()).content.decode()
        assert page_url(march_complaint) in detail
        assert "27 April 2027" in detail


def test_refer_by_runs_twelve_months_from_the_latest_letter(client, customer, agent, march_complaint):
    with time_machine.travel(uk(2026, 4, 27, 0, 1), tick=False):
        sweep.run()  # the waiting-period letter, on day 56
    with time_machine.travel(uk(2026, 5, 7, 10), tick=False):
        services.declare_deadlock(complaint=march_complaint, actor=agent, reason="Our final position stands.")
        client.force_login(customer)
        html = client.get(page_url(march_complaint)).content.decode()
        detail = client.get(march_complaint.get_absolute_url()).content.decode()
    assert sorted(march_complaint.letters.values_list("letter_date", flat=True)) == [date(2026, 4, 27),
                                                                                    date(2026, 5, 7)]
    assert "You have until <strong>7 May 2027</strong>" in html
    assert "our letter of 7 May 2026" in html
    assert "27 April 2027" not in html
    assert "<strong>7 May 2027</strong> to take your complaint to Otelo" in detail


def test_deadlock_opens_the_page_at_once(client, customer, agent):
    complaint = file_complaint(customer)
    client.force_login(customer)
    assert client.get(page_url(complaint)).status_code == 404
    services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    assert client.get(page_url(complaint)).status_code == 200


def test_a_larger_business_has_no_ombudsman_page_and_no_letter(client, large_business_customer):
    complaint = file_due_complaint(large_business_customer)
    sweep.run()
    assert not complaint.letters.exists()
    client.force_login(large_business_customer)
    assert client.get(page_url(complaint)).status_code == 404


def test_other_customers_get_404(client, other_customer, customer):
    complaint = file_due_complaint(customer)
    client.force_login(other_customer)
    assert client.get(page_url(complaint)).status_code == 404


def test_the_customer_records_their_referral(client, customer):
    complaint = file_due_complaint(customer)
    client.force_login(customer)
    today = date.today()
    response = client.post(page_url(complaint), {"referred_on": today.isoformat(), "case_reference": "OS-123"})
    assert response.status_code == 302
    referral = Referral.objects.get(complaint=complaint)
    assert (referral.referred_on, referral.case_reference, referral.recorded_by) == (today, "OS-123", customer)
    event = Event.objects.get(complaint=complaint, kind=EventKind.OMBUDSMAN)
    assert event.visible_to_customer and "Otelo" in event.summary
    html = client.get(page_url(complaint)).content.decode()
    assert "Your referral" in html and "OS-123" in html
    assert 'name="referred_on"' not in html


def test_a_referral_dated_in_the_future_is_refused_and_the_input_kept(client, customer):
    complaint = file_due_complaint(customer)
    client.force_login(customer)
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(page_url(complaint), {"referred_on": tomorrow.isoformat(), "case_reference": "OS-9"})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert 'value="OS-9"' in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referral_dated_before_eligibility_is_refused(client, customer, march_complaint):
    client.force_login(customer)
    with time_machine.travel(uk(2026, 5, 1, 12), tick=False):
        response = client.post(page_url(march_complaint), {"referred_on": "2026-04-26"})
    assert "could be referred from 27 April 2026 only" in response.content.decode()
    assert not Referral.objects.exists()


def test_staff_are_sent_to_the_desk_and_cannot_refer_for_the_customer(client, agent, customer):
    complaint = file_due_complaint(customer)
    client.force_login(agent)
    desk = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert client.get(page_url(complaint)).url == desk
    assert client.post(page_url(complaint), {"referred_on": date.today().isoformat()}).url == desk
    assert not Referral.objects.exists()


def test_the_pages_do_not_query_per_letter(client, customer, agent, django_assert_num_queries):
    complaint = file_due_complaint(customer)
    sweep.run()
    client.force_login(customer)
    with CaptureQueriesContext(connection) as page_baseline:
        client.get(page_url(complaint))
    with CaptureQueriesContext(connection) as detail_baseline:
        client.get(complaint.get_absolute_url())
    services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    assert complaint.letters.count() == 2

    with django_assert_num_queries(len(page_baseline)):
        assert client.get(page_url(complaint)).status_code == 200
    with django_assert_num_queries(len(detail_baseline)):
        assert "Deadlock letter" in client.get(complaint.get_absolute_url()).content.decode()
