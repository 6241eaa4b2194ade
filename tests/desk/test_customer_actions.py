"""The customer's side: accept or reject a proposed resolution, ask for a deadlock letter."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from complaints import services
from complaints.models import Status, Upheld
from tests.desk.conftest import client_for


def url(name, complaint):
    return reverse(f"complaints:{name}", args=[complaint.tracking_number])


@pytest.fixture
def proposed(complaint, agent, root_cause):
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    services.propose_resolution(complaint=complaint, agent=agent, proposal="We will credit £20.",
                                upheld=Upheld.UPHELD, root_cause=root_cause, credit_amount=20)
    return complaint


def test_the_customer_sees_the_proposal_with_accept_and_reject(customer_client, proposed):
    response = customer_client.get(proposed.get_absolute_url())

    assertContains(response, "Our proposed resolution")
    assertContains(response, "We will credit £20.")
    assertContains(response, url("accept_resolution", proposed))
    assertContains(response, url("reject_resolution", proposed))


def test_accepting_resolves_the_complaint(customer_client, proposed):
    response = customer_client.post(url("accept_resolution", proposed), follow=True)

    assertContains(response, "your complaint is resolved")
    proposed.refresh_from_db()
    assert proposed.status == Status.RESOLVED and proposed.credit_amount == 20


def test_rejecting_needs_a_reason_and_keeps_the_complaint_open(customer_client, proposed, agent):
    response = customer_client.post(url("reject_resolution", proposed), {"reason": ""})
    assertContains(response, "This field is required.")

    customer_client.post(url("reject_resolution", proposed), {"reason": "I was charged twice, not once."})

    proposed.refresh_from_db()
    assert proposed.status == Status.INVESTIGATING
    assert proposed.emails.filter(to=agent.email).exists()
    assertNotContains(customer_client.get(proposed.get_absolute_url()), "Our proposed resolution")


def test_asking_for_a_deadlock_letter_goes_on_the_agents_queue(customer_client, complaint, agent_client):
    page = customer_client.get(complaint.get_absolute_url())
    assertContains(page, "Ask for a deadlock letter")

    customer_client.post(url("request_deadlock_letter", complaint), {"reason": "We are going round in circles."})

    complaint.refresh_from_db()
    assert complaint.deadlock_requested_at is not None
    assertContains(customer_client.get(complaint.get_absolute_url()), "You asked for a deadlock letter")
    queue = agent_client.get(reverse("admin:complaints_complaint_changelist"), {"deadlock_requested": "yes"})
    assertContains(queue, complaint.tracking_number)


def test_no_deadlock_request_for_a_customer_without_adr_rights(large_business_customer):
    from tests.conftest import file_complaint

    complaint = file_complaint(large_business_customer)

    assertNotContains(client_for(large_business_customer).get(complaint.get_absolute_url()),
                      "Ask for a deadlock letter")


def test_only_the_complaints_customer_may_answer_a_proposal(proposed, other_customer, agent_client):
    assert client_for(other_customer).post(url("accept_resolution", proposed)).status_code == 404
    assert agent_client.post(url("accept_resolution", proposed)).status_code == 403
    assert client_for(other_customer).post(url("request_deadlock_letter", proposed)).status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == Status.RESOLUTION_PROPOSED
