from datetime import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clock import UK
from complaints import services
from complaints.forms import TRACK_NOT_FOUND
from complaints.models import Status
from tests.conftest import file_complaint

TRACK = reverse("complaints:track")


@pytest.fixture
def dated_complaint(customer, agent):
    with time_machine.travel(datetime(2027, 1, 17, 9, 0, tzinfo=UK), tick=False):
        complaint = file_complaint(customer, description="Private details of my account")
    with time_machine.travel(datetime(2027, 1, 18, 9, 0, tzinfo=UK), tick=False):
        services.change_status(complaint=complaint, to=Status.ACKNOWLEDGED, actor=agent)
        services.add_staff_message(complaint=complaint, agent=agent, body="Private reply from the team")
    return complaint


def test_anyone_can_open_the_track_page(client, db):
    response = client.get(TRACK)

    assertContains(response, 'name="tracking_number"')
    assertContains(response, 'name="email"')


def test_matching_details_show_the_status_and_key_dates_only(client, dated_complaint, customer):
    with time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=UK), tick=False):
        response = client.post(TRACK, {"tracking_number": dated_complaint.tracking_number, "email": customer.email})

    assertContains(response, dated_complaint.tracking_number)
    assertContains(response, "Acknowledgement")
    assertContains(response, "17 January 2027")  # received
    assertContains(response, '<dd class="col-sm-7" id="tracked-last-update">18 January 2027</dd>', html=True)
    assertContains(response, "If we have not resolved it by 14 March 2027, you can take it to the Office of the "
                             "Telecommunications Ombudsman (Otelo)")
    assertNotContains(response, "Private details of my account")
    assertNotContains(response, "Private reply from the team")
    assertContains(response, f"{reverse('accounts:login')}?next=/complaints/{dated_complaint.tracking_number}/")


def test_any_accepted_spelling_and_email_case_work(client, dated_complaint, customer):
    sloppy = dated_complaint.tracking_number.lower().replace("-", "").replace("0", "o").replace("1", "i")

    response = client.post(TRACK, {"tracking_number": f" {sloppy} ", "email": customer.email.upper()})

    assertContains(response, dated_complaint.tracking_number)
    assertContains(response, 'id="tracked"')


def test_a_closed_complaint_shows_that_it_is_closed(client, complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    response = client.post(TRACK, {"tracking_number": complaint.tracking_number, "email": customer.email})

    assertContains(response, '<dd class="col-sm-7" id="tracked-status">Withdrawn</dd>', html=True)
    assertContains(response, "You withdrew this complaint on")


def test_a_wrong_email_or_unknown_number_gets_one_generic_message(client, complaint, other_customer, customer):
    wrong_email = client.post(TRACK, {"tracking_number": complaint.tracking_number, "email": other_customer.email})
    unknown = client.post(TRACK, {"tracking_number": "LMI-0A1B-2C3D", "email": customer.email})

    for response in (wrong_email, unknown):
        assertContains(response, TRACK_NOT_FOUND)
        assertNotContains(response, 'id="tracked"')


def test_a_complaint_without_an_email_on_record_is_never_found(client, db):
    from accounts.models import User

    phoned_in = User.objects.create_user(email=None, full_name="Pat Phone")
    complaint = file_complaint(phoned_in)

    response = client.post(TRACK, {"tracking_number": complaint.tracking_number, "email": "pat@example.com"})

    assertContains(response, TRACK_NOT_FOUND)


def test_a_malformed_tracking_number_asks_to_check_it(client, db):
    response = client.post(TRACK, {"tracking_number": "LMI-1234", "email": "dana.customer@example.com"})

    assertContains(response, "Please check the tracking number")
    assertNotContains(response, TRACK_NOT_FOUND)


def test_the_track_form_is_protected_from_cross_site_posts(complaint, customer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(TRACK, {"tracking_number": complaint.tracking_number, "email": customer.email})

    assert response.status_code == 403
