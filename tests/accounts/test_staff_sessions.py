"""Staff sessions end after 30 minutes idle and 12 hours in all; customers' last two weeks."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.desk.conftest import client_for

START = timezone.now().replace(microsecond=0)


def admin_status(client):
    return client.get("/admin/").status_code


def test_a_staff_session_ends_after_thirty_minutes_without_a_request(agent):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(agent)
        assert admin_status(client) == 200
        clock.shift(timedelta(minutes=29))
        assert admin_status(client) == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get("/admin/", follow=True)
    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_a_busy_staff_session_still_ends_twelve_hours_after_it_began(agent):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(agent)
        for _ in range(12 * 60 // 20):
            assert admin_status(client) == 200
            clock.shift(timedelta(minutes=20))
        clock.shift(timedelta(seconds=1))
        response = client.get("/admin/", follow=True)
    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session
    assert "Your session ended, as staff sessions do after 30 minutes without use or 12 hours in all" in response.text


def test_the_staff_session_cookie_lasts_only_the_idle_time(agent):
    client = client_for(agent)
    client.get("/admin/")
    assert client.session.get_expiry_age() == 30 * 60


def test_a_customers_session_lasts_two_weeks(customer):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(customer)
        assert client.get("/complaints/").status_code == 200
        clock.shift(timedelta(days=13))
        assert client.get("/complaints/").status_code == 200
    assert client.session.get_expiry_age() == 14 * 24 * 3600
