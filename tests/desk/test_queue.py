"""The desk as a work queue: the agent's own queue first, in order of urgency, with named views."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

import clock
from complaints import services
from complaints.models import Complaint, Status
from desk import queue
from ombudsman import services as adr_services
from tests.conftest import file_complaint
from tests.desk.conftest import list_url, page_url

# A Wednesday morning in winter (GMT), fixed so that days left and breaches never depend on today.
MORNING = datetime(2027, 1, 13, 9, 0, tzinfo=clock.UK)


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def listed(response):
    return [complaint.pk for complaint in response.context["cl"].result_list]


def received(customer, days_ago, **overrides):
    return file_complaint(customer, received_at=MORNING - timedelta(days=days_ago), **overrides)


def working(complaint, agent):
    """Acknowledge and take a complaint on, so that it is neither new nor waiting on anyone."""
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    services.change_status(complaint=complaint, to=Status.INVESTIGATING, actor=agent)
    return complaint


@pytest.fixture
def queue_of_every_kind(morning, customer, large_business_customer, agent):
    """One complaint of each kind the queue orders, all assigned to the agent."""
    made = {
        "running_later": working(received(customer, 10), agent),
        "running_sooner": working(received(customer, 45), agent),
        "breach": working(received(customer, 60), agent),
        "replied": working(received(customer, 20), agent),
        "new": received(customer, 0),
        "told": working(received(customer, 70), agent),
        "no_rights": working(received(large_business_customer, 5), agent),
    }
    services.assign_complaint(complaint=made["new"], agent=agent, actor=agent)
    services.add_customer_message(complaint=made["replied"], customer=customer, body="Any news?")
    adr_services.create_adr_letter(complaint=made["told"])
    return made


def test_the_desk_opens_on_the_agents_own_queue_in_order_of_urgency(morning, agent_client, queue_of_every_kind,
                                                                       other_agent, customer):
    made = queue_of_every_kind
    someone_elses = working(received(customer, 58), other_agent)

    response = agent_client.get(list_url())

    assert response.context["title"] == "Complaints: Mine"
    assert listed(response) == [made[name].pk for name in (
        "breach", "replied", "new", "running_sooner", "running_later", "told", "no_rights")]
    assert someone_elses.pk not in listed(response)


def test_each_row_says_why_it_is_there(morning, agent_client, queue_of_every_kind):
    made = queue_of_every_kind

    page = agent_client.get(list_url()).content.decode()

    for name, words in (("breach", "Breach"), ("replied", "Customer replied"), ("new", "New"),
                        ("running_later", "Clock running"), ("told", "Customer told"),
                        ("no_rights", "No ADR rights")):
        row = next(row for row in page.split("<tr") if made[name].tracking_number in row)
        assert f">{words}</span>" in row, (name, row)


def test_one_complaint_and_many_agree_on_their_place_in_the_queue(queue_of_every_kind, customer, agent):
    made = queue_of_every_kind
    resolved = working(received(customer, 30), agent)
    services.change_status(complaint=resolved, to=Status.WITHDRAWN, actor=customer)
    ranks = list(queue.Reason)
    for moment in (MORNING, MORNING + timedelta(days=20), MORNING + timedelta(days=50)):
        annotated = Complaint.objects.annotate(rank=queue.urgency(moment))
        for complaint in annotated:
            assert ranks[complaint.rank] == queue.reason(complaint, moment), (complaint, moment)
    at_morning = Complaint.objects.filter(pk__in=[complaint.pk for complaint in made.values()])
    assert {queue.reason(complaint, MORNING) for complaint in at_morning} == set(queue.Reason)


@pytest.mark.parametrize("view, expected", [
    ("mine", {"breach", "replied", "new", "running_sooner", "running_later", "told", "no_rights"}),
    ("unassigned", {"unassigned"}),
    ("replied", {"replied"}),
    ("reaching", {"running_sooner"}),
    ("waiting", {"waiting"}),
    ("told", {"told"}),
    ("all", {"breach", "replied", "new", "running_sooner", "running_later", "told", "no_rights", "unassigned",
             "waiting"}),
])
def test_the_named_views(morning, agent_client, queue_of_every_kind, customer, other_agent, view, expected):
    made = dict(queue_of_every_kind)
    made["unassigned"] = received(customer, 3)
    services.change_status(complaint=made["unassigned"], to=Status.INVESTIGATING, actor=other_agent)
    made["waiting"] = working(received(customer, 2), other_agent)
    services.request_information(complaint=made["waiting"], agent=other_agent, body="Which meeting?")

    response = agent_client.get(list_url(), {"view": view})

    names = {pk: name for name, complaint in made.items() for pk in [complaint.pk]}
    assert {names[pk] for pk in listed(response)} == expected
    counts = {item["value"]: item["count"] for item in response.context["queue_views"]}
    assert counts[view] == len(expected)


def test_view_counts_are_bounded_like_the_list(morning, agent_client, customer, agent, monkeypatch):
    from desk.admin import ComplaintAdmin

    monkeypatch.setattr(ComplaintAdmin, "list_per_page", 1)
    for _ in range(9):
        services.assign_complaint(complaint=received(customer, 1), agent=agent, actor=agent)

    response = agent_client.get(list_url())

    mine = next(item for item in response.context["queue_views"] if item["value"] == "mine")
    assert mine["bounded"] and mine["count"] == 7 and response.context["queue_reach"] == 6


def test_the_unread_mark_shows_until_the_agent_opens_the_complaint(morning, agent_client, customer, agent):
    complaint = working(received(customer, 5), agent)
    agent_client.get(page_url(complaint))
    morning.shift(timedelta(minutes=10))  # within the staff session's idle limit
    services.add_customer_message(complaint=complaint, customer=customer, body="Here is the invoice.")

    assert "desk-unread" in _row(agent_client, complaint)
    morning.shift(timedelta(minutes=5))
    agent_client.get(page_url(complaint))
    assert "desk-unread" not in _row(agent_client, complaint)


def _row(client, complaint):
    page = client.get(list_url()).content.decode()
    return next(row for row in page.split("<tr") if complaint.tracking_number in row)


def test_a_reply_from_the_agent_takes_the_complaint_off_customer_replied(morning, agent_client, customer, agent):
    complaint = working(received(customer, 5), agent)
    services.add_customer_message(complaint=complaint, customer=customer, body="Any news?")
    assert listed(agent_client.get(list_url(), {"view": "replied"})) == [complaint.pk]

    services.add_staff_message(complaint=complaint, agent=agent, body="We are on it.")

    assert listed(agent_client.get(list_url(), {"view": "replied"})) == []


@pytest.mark.parametrize("act", ["reply", "reject", "deadlock_request"])
def test_every_customer_action_puts_the_complaint_on_customer_replied(customer, agent, morning, act):
    complaint = working(received(customer, 5), agent)
    if act == "reply":
        services.add_customer_message(complaint=complaint, customer=customer, body="Hello?")
    elif act == "reject":
        services.propose_resolution(complaint=complaint, agent=agent, proposal="A credit.", upheld="upheld",
                                    root_cause=None)
        morning.shift(timedelta(hours=1))
        services.reject_resolution(complaint=complaint, customer=customer, reason="Not enough.")
    else:
        services.request_deadlock_letter(complaint=complaint, customer=customer, reason="I want to go to ADR.")

    complaint.refresh_from_db()
    assert complaint.awaiting_reply_since == complaint.customer_acted_at == MORNING + (
        timedelta(hours=1) if act == "reject" else timedelta())


@pytest.mark.parametrize("answer", ["propose", "deadlock", "close"])
def test_an_answer_or_closing_ends_the_wait(customer, agent, morning, answer):
    complaint = working(received(customer, 5), agent)
    services.add_customer_message(complaint=complaint, customer=customer, body="Hello?")
    if answer == "propose":
        services.propose_resolution(complaint=complaint, agent=agent, proposal="A credit.", upheld="upheld",
                                    root_cause=None)
    elif answer == "deadlock":
        adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position.")
    else:
        services.withdraw_complaint(complaint=complaint, customer=customer)

    complaint.refresh_from_db()
    assert complaint.awaiting_reply_since is None and complaint.customer_acted_at == MORNING


def test_the_list_takes_the_same_queries_whatever_the_view_and_page_size(morning, agent_client, queue_of_every_kind,
                                                                          monkeypatch):
    from desk.admin import ComplaintAdmin

    def queries(view, per_page):
        monkeypatch.setattr(ComplaintAdmin, "list_per_page", per_page)
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(list_url(), {"view": view})
        assert response.status_code == 200
        # An empty view reads no rows: the page's ids are none, so there is no second read.
        return len(captured) + (not response.context["cl"].result_list)

    assert len({queries(view, per_page) for view in queue.View for per_page in (2, 50)}) == 1


def test_the_desk_says_a_complaint_waits_for_the_customer_in_its_own_words(morning, agent_client, customer, agent):
    complaint = working(received(customer, 5), agent)
    services.request_information(complaint=complaint, agent=agent, body="Which meeting?")

    row = _row(agent_client, complaint)
    page = agent_client.get(page_url(complaint)).content.decode()

    assert ">Waiting for the customer<" in row and "Waiting for your reply" not in row
    assert '<strong id="desk-status">Waiting for the customer</strong>' in page


def test_a_later_page_of_the_queue_follows_on_from_the_first(morning, agent_client, customer, agent, monkeypatch):
    from desk.admin import ComplaintAdmin

    for days in (60, 59, 3, 2, 1):
        working(received(customer, days), agent)
    for days in (20, 10):
        services.assign_complaint(complaint=received(customer, days), agent=agent, actor=agent)
    monkeypatch.setattr(ComplaintAdmin, "list_per_page", 2)

    pages = [listed(agent_client.get(list_url(), {"p": page})) for page in (1, 2, 3, 4)]
    whole = Complaint.objects.annotate(rank=queue.urgency(MORNING)).order_by("rank", "adr_opens_at", "pk")

    assert [pk for page in pages for pk in page] == list(whole.values_list("pk", flat=True))
