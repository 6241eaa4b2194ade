"""The desk reads as the complaints desk: its name, lists titled by what they list, 24-hour times,
and choices asked for in words rather than Django's "---------"."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import PreferredContact
from ombudsman import services as adr_services
from tests.desk.conftest import due_complaint, page_url

SITE_TITLE = f"{settings.PROVIDER['short_name']} UK complaints portal"


def assert_named_as_the_desk(response):
    assertContains(response, '<a href="/admin/">Complaints desk</a>')
    assertContains(response, f" | {SITE_TITLE}</title>")
    assertNotContains(response, "Django administration")
    assertNotContains(response, "Django site admin")


@pytest.mark.parametrize("name", ["admin:index", "admin:desk_print_queue", "admin:ombudsman_letter_changelist",
                                  "admin:complaints_complaint_changelist", "admin:complaints_complaint_add"])
def test_desk_pages_are_titled_as_the_complaints_desk(agent_client, name):
    assert_named_as_the_desk(agent_client.get(reverse(name)))


def test_the_log_in_page_is_titled_as_the_complaints_desk(client, db):
    assert_named_as_the_desk(client.get(reverse("admin:login")))


def test_the_home_page_is_headed_home(agent_client):
    assertContains(agent_client.get(reverse("admin:index")), f"<title>Home | {SITE_TITLE}</title>")


@pytest.mark.parametrize(("name", "title"), [
    ("admin:accounts_user_changelist", "Users"),
    ("admin:auth_group_changelist", "Groups"),
    ("admin:complaints_complaintaccess_changelist", "Complaint accesses"),
    ("admin:ombudsman_scheme_changelist", "Schemes"),
    ("admin:ombudsman_waitingperiodpolicy_changelist", "Waiting period policies"),
    ("admin:ombudsman_letter_changelist", "Letters"),
    ("admin:ombudsman_sweeprun_changelist", "Sweep runs"),
    ("admin:ombudsman_sweepfailure_changelist", "Sweep failures"),
    ("admin:privacy_subjectaccessrequest_changelist", "Subject access requests"),
    ("admin:privacy_erasure_changelist", "Erasures"),
    ("admin:privacy_customererasure_changelist", "Customer erasures"),
    ("admin:privacy_accountclosure_changelist", "Account closures"),
])
def test_each_list_is_titled_by_what_it_lists(superuser_client, name, title):
    response = superuser_client.get(reverse(name))

    assertContains(response, f"<h1>{title}</h1>")
    assertContains(response, f"<title>{title} | {SITE_TITLE}</title>")
    assertNotContains(response, "<h1>Select")


# Lists with rows from the start (the superuser, the staff groups, the first policy): an empty list has no menu.
@pytest.mark.parametrize("name", ["admin:accounts_user_changelist", "admin:auth_group_changelist",
                                  "admin:ombudsman_waitingperiodpolicy_changelist"])
def test_the_actions_menu_asks_for_an_action_in_words(superuser_client, name):
    response = superuser_client.get(reverse(name))

    assertContains(response, '<option value="" selected>Choose an action</option>', html=True)
    assertNotContains(response, "---------")


def test_the_letters_list_shows_24_hour_uk_times(agent_client, customer, agent, django_capture_on_commit_callbacks):
    # 15:46 UTC in July is 16:46 in the UK (BST).
    with time_machine.travel(datetime(2026, 7, 1, 15, 46, tzinfo=UTC), tick=False):
        complaint = due_complaint(customer)
        customer.preferred_contact = PreferredContact.POST
        customer.save()
        with django_capture_on_commit_callbacks(execute=True):
            letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final.")
        assert adr_services.mark_letter_posted(letter=letter, actor=agent)

        response = agent_client.get(reverse("admin:ombudsman_letter_changelist"))

    assertContains(response, "1 Jul 2026, 16:46")
    assertNotContains(response, "p.m.")
    assertNotContains(response, "4:46")


def test_a_letters_page_shows_24_hour_uk_times(agent_client, customer, agent, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 7, 1, 15, 46, tzinfo=UTC), tick=False):
        complaint = due_complaint(customer)
        with django_capture_on_commit_callbacks(execute=True):
            letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final.")

        response = agent_client.get(reverse("admin:ombudsman_letter_change", args=[letter.pk]))

    assertContains(response, "1 Jul 2026, 16:46")
    assertNotContains(response, "p.m.")


def test_the_outcome_forms_ask_for_each_choice_in_words(agent_client, complaint):
    response = agent_client.get(page_url(complaint))

    assertContains(response, '<option value="" selected>Choose whether it was upheld</option>', html=True)
    assertContains(response, '<option value="" selected>Choose a root cause</option>', html=True)
    assertNotContains(response, "---------")


def test_the_decision_form_asks_for_the_decision_in_words(agent_client, customer, agent):
    complaint = due_complaint(customer)
    adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    adr_services.record_referral(complaint=complaint, actor=customer, referred_on=timezone.localdate(),
                                 case_reference="OS-123")

    response = agent_client.get(page_url(complaint))

    assertContains(response, '<option value="" selected>Choose the decision</option>', html=True)
    assertNotContains(response, "---------")
