"""The agents' complaint list: columns, default order, filters, search and a bounded count."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

import clock
from complaints import services
from complaints.admin_base import PAGES_AHEAD
from complaints.models import Channel, Complaint, Product
from desk.admin import ComplaintAdmin
from ombudsman import services as adr_services
from tests.conftest import file_complaint, make_customer
from tests.desk.conftest import due_complaint, list_url


def listed(response):
    return [complaint.pk for complaint in response.context["cl"].result_list]


def row_cells(response, complaint):
    """Return the complaint's row in the list as {column name: cell HTML}, by the cells' field-* classes."""
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
            if complaint.tracking_number in row]
    assert len(rows) == 1, rows
    return dict(re.findall(r'<t[dh] class="field-(\w+)">(.*?)</t[dh]>', rows[0], re.S))


def flags_in(cells):
    return set(re.findall(r"desk-flag-([\w-]+)", cells["flags"]))


def test_the_list_shows_the_columns_agents_work_from(agent_client, customer, agent):
    complaint = due_complaint(customer, days_ago=10)
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)

    response = agent_client.get(list_url())

    cells = row_cells(response, complaint)
    assert cells["days_open"] == "10"
    assert cells["about"] == "GoToMeeting<br><small>Service fault · Web</small>"
    assert cells["status_words"] == "Received"
    assert cells["agent"] == "Alex Agent"
    assert cells["customer_name"] == "Dana Customer<br><small>dana.customer@example.com</small>"
    assert ">46 d left<" in cells["time_left"]
    for heading in ("Days open", "Clock", "Flags"):
        assertContains(response, heading)


def test_open_complaints_are_listed_by_deadline_and_closed_ones_left_out(agent_client, customer):
    later = file_complaint(customer)
    sooner = due_complaint(customer, days_ago=30)
    closed = due_complaint(customer, days_ago=40)
    services.withdraw_complaint(complaint=closed, customer=customer)

    response = agent_client.get(list_url(), {"view": "all"})

    assert listed(response) == [sooner.pk, later.pk]
    assert listed(agent_client.get(list_url(), {"status": "all"})) == [closed.pk, sooner.pk, later.pk]
    assert listed(agent_client.get(list_url(), {"status": "withdrawn"})) == [closed.pk]


def test_the_clock_column_shows_the_state_and_the_flags(agent_client, customer, other_customer, agent):
    customer.support_consent_at = timezone.now()
    customer.vulnerable = True
    customer.save()
    told = due_complaint(customer)
    adr_services.create_adr_letter(complaint=told)
    deadlocked = due_complaint(customer, days_ago=10)
    adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Final.")
    adr_services.record_referral(complaint=deadlocked, actor=customer, referred_on=clock.uk_today())
    breach = due_complaint(other_customer, days_ago=60)
    plain = file_complaint(other_customer)

    response = agent_client.get(list_url(), {"view": "all"})

    days_late = (clock.uk_today() - breach.adr_deadline_date).days
    assert f'<span class="desk-badge desk-clock-breach">Breach: ADR opened {days_late} d ago</span>' in \
        row_cells(response, breach)["time_left"]
    assert '<span class="desk-badge desk-clock-told">Customer told (being sent)</span>' in \
        row_cells(response, told)["time_left"]
    assert "desk-clock-told" in row_cells(response, deadlocked)["time_left"]
    assert flags_in(row_cells(response, told)) == {"vulnerable"}
    assert flags_in(row_cells(response, deadlocked)) == {"vulnerable", "deadlock", "referral"}
    assert flags_in(row_cells(response, plain)) == set()


def test_breaches_come_first_and_customers_told_last(agent_client, customer, large_business_customer, agent):
    # As the issue found it: deadlocked complaints at the top in red, "Overdue 124 d".
    deadlocked = [due_complaint(customer, days_ago=180) for _ in range(3)]
    for complaint in deadlocked:
        adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position.")
    running = file_complaint(customer)
    breach = due_complaint(customer, days_ago=57)
    soon = due_complaint(customer, days_ago=50)
    # Past its period with no letter owed (no ADR rights): not a breach, so not above one.
    no_rights = due_complaint(large_business_customer, days_ago=120)
    for complaint in (running, soon, no_rights):
        services.change_status(complaint=complaint, to="investigating", actor=agent)

    response = agent_client.get(list_url(), {"view": "all"})

    assert listed(response)[:3] == [breach.pk, soon.pk, running.pk]
    assert set(listed(response)[3:]) == {no_rights.pk, *(complaint.pk for complaint in deadlocked)}
    assert "Overdue" not in response.content.decode()


@pytest.mark.parametrize("state, expected", [
    ("breach", {"breach"}), ("7", {"in_5"}), ("14", {"in_5", "in_10"}), ("running", {"in_5", "in_10", "new"}),
    ("told", {"deadlocked"}), ("closed_in_time", {"resolved_in_time"}), ("closed_late", {"resolved_late"}),
    ("past_period", {"business"}), ("closed", set()),
])
def test_the_clock_filter_lists_each_state(agent_client, customer, large_business_customer, agent, state, expected):
    complaints = {
        "breach": due_complaint(customer, days_ago=60),
        "in_5": due_complaint(customer, days_ago=51),
        "in_10": due_complaint(customer, days_ago=46),
        "new": file_complaint(customer),
        "deadlocked": due_complaint(customer, days_ago=70),
        "resolved_in_time": due_complaint(customer, days_ago=20),
        "resolved_late": due_complaint(customer, days_ago=90),
        "business": due_complaint(large_business_customer, days_ago=60),
    }
    adr_services.declare_deadlock(complaint=complaints["deadlocked"], actor=agent, reason="Final.")
    for name in ("resolved_in_time", "resolved_late"):
        services.resolve_complaint(complaint=complaints[name], agent=agent, summary="Sorted.", upheld="upheld")

    response = agent_client.get(list_url(), {"clock": state})

    assert set(listed(response)) == {complaints[name].pk for name in expected}


def test_the_agent_filter_me_unassigned_anyone(agent_client, customer, agent, other_agent):
    mine, theirs, nobodys = file_complaint(customer), file_complaint(customer), file_complaint(customer)
    services.assign_complaint(complaint=mine, agent=agent, actor=agent)
    services.assign_complaint(complaint=theirs, agent=other_agent, actor=other_agent)

    assert listed(agent_client.get(list_url(), {"agent": "me"})) == [mine.pk]
    assert listed(agent_client.get(list_url(), {"agent": "none"})) == [nobodys.pk]
    assert set(listed(agent_client.get(list_url(), {"agent": "any"}))) == {mine.pk, theirs.pk}
    assert listed(agent_client.get(list_url(), {"agent": str(other_agent.pk)})) == [theirs.pk]


def test_the_field_filters(agent_client, customer, large_business_customer):
    phone = file_complaint(customer, channel=Channel.PHONE, product=Product.GOTOWEBINAR, category="refund")
    web = file_complaint(customer)
    business = due_complaint(large_business_customer)
    eligible = due_complaint(customer)

    assert listed(agent_client.get(list_url(), {"channel__exact": "phone"})) == [phone.pk]
    assert listed(agent_client.get(list_url(), {"product__exact": "gotowebinar"})) == [phone.pk]
    assert listed(agent_client.get(list_url(), {"category__exact": "refund"})) == [phone.pk]
    assert listed(agent_client.get(list_url(), {"adr_eligible": "yes"})) == [eligible.pk]
    assert set(listed(agent_client.get(list_url(), {"adr_eligible": "no"}))) == {phone.pk, web.pk, business.pk}


def test_the_vulnerable_filter_needs_consent(agent_client, customer, other_customer):
    customer.support_consent_at = timezone.now()
    customer.vulnerable = True
    customer.save()
    other_customer.vulnerable = True  # without consent the flag must be ignored
    other_customer.save()
    flagged, unflagged = file_complaint(customer), file_complaint(other_customer)

    assert listed(agent_client.get(list_url(), {"vulnerable": "yes"})) == [flagged.pk]
    assert listed(agent_client.get(list_url(), {"vulnerable": "no"})) == [unflagged.pk]


def test_deadlock_requests_are_on_the_queue(agent_client, customer):
    asked, quiet = file_complaint(customer), file_complaint(customer)
    services.request_deadlock_letter(complaint=asked, customer=customer, reason="Stuck.")

    response = agent_client.get(list_url(), {"deadlock_requested": "yes"})

    assert listed(response) == [asked.pk]
    assertContains(response, "desk-flag-asked")
    assert quiet.pk not in listed(response)


def test_search_finds_a_tracking_number_however_it_is_typed_even_when_closed(agent_client, customer, other_customer):
    complaint = file_complaint(customer)
    other = file_complaint(other_customer)
    services.withdraw_complaint(complaint=complaint, customer=customer)
    sloppy = complaint.tracking_number.lower().replace("-", "")

    response = agent_client.get(list_url(), {"q": sloppy})

    assert listed(response) == [complaint.pk]
    assertNotContains(response, other.tracking_number)


def test_search_by_customer_email_and_name(agent_client, customer, other_customer):
    mine, theirs = file_complaint(customer), file_complaint(other_customer)

    assert listed(agent_client.get(list_url(), {"q": "olly.other"})) == [theirs.pk]
    assert listed(agent_client.get(list_url(), {"q": " Olly.Other@Example.com "})) == [theirs.pk]
    assert listed(agent_client.get(list_url(), {"q": "Dana Cust"})) == [mine.pk]


def test_a_whole_email_address_finds_that_customer_only(agent_client, other_customer):
    theirs = file_complaint(other_customer)
    namesake = file_complaint(make_customer("other@example.com", "Oth Er"))

    assert listed(agent_client.get(list_url(), {"q": "OTHER@example.com"})) == [namesake.pk]
    assert listed(agent_client.get(list_url(), {"q": "other@"})) == sorted([theirs.pk, namesake.pk])


def test_links_from_the_reports_keep_working(agent_client, customer, agent):
    """The reports link here with raw lookups (status__in, adr_opens_at ranges, assigned_to)."""
    mine = file_complaint(customer)
    services.assign_complaint(complaint=mine, agent=agent, actor=agent)
    file_complaint(customer)

    response = agent_client.get(list_url(), {"status__in": "received,acknowledged",
                                             "assigned_to__id__exact": agent.pk,
                                             "adr_opens_at__gte": timezone.now().isoformat()})

    assert listed(response) == [mine.pk]


def test_the_count_never_reads_past_a_few_pages_ahead(agent_client, customer, monkeypatch):
    per_page = 2
    for _ in range(per_page * (PAGES_AHEAD + 3)):
        file_complaint(customer)
    monkeypatch.setattr(ComplaintAdmin, "list_per_page", per_page)

    response = agent_client.get(list_url(), {"view": "all"})

    paginator = response.context["cl"].paginator
    assert paginator.count_is_bounded and paginator.count == per_page * (PAGES_AHEAD + 1) + 1
    assertContains(response, f"More than {per_page * (PAGES_AHEAD + 1)}")
    assert len(response.context["cl"].result_list) == per_page


def test_a_later_page_counts_further_ahead(agent_client, customer, monkeypatch):
    for _ in range(12):
        file_complaint(customer)
    monkeypatch.setattr(ComplaintAdmin, "list_per_page", 2)

    response = agent_client.get(list_url(), {"view": "all", "p": "6"})

    paginator = response.context["cl"].paginator
    assert not paginator.count_is_bounded and paginator.count == 12
    assert len(response.context["cl"].result_list) == 2


def test_no_full_count_of_the_table(agent_client, customer):
    for _ in range(3):
        file_complaint(customer)

    with CaptureQueriesContext(connection) as queries:
        agent_client.get(list_url())

    counts = [query["sql"] for query in queries
              if "COUNT(" in query["sql"].upper() and '"complaints_complaint"' in query["sql"]]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    # The list's own count reads the cheapest index: no order, no flags.
    assert any("EXISTS" not in sql and "ORDER BY" not in sql for sql in counts), counts


def _add_complaints(customers, agent, count):
    for index in range(count):
        complaint = file_complaint(customers[index % 2], received_at=timezone.now() - timedelta(days=index % 70))
        if index % 3 == 0:
            services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
        if index % 4 == 0:
            services.add_internal_note(complaint=complaint, agent=agent, body="Looked at it.")


def _queries_for_list(client, expected_rows):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(list_url(), {"status": "all"})
    assert len(response.context["cl"].result_list) == expected_rows
    return len(queries)


def test_the_list_takes_the_same_number_of_queries_for_5_and_50_complaints(agent_client, customer, other_customer,
                                                                             agent, other_agent):
    _add_complaints([customer, other_customer], agent, 5)
    five = _queries_for_list(agent_client, 5)
    _add_complaints([other_customer, customer], other_agent, 45)
    fifty = _queries_for_list(agent_client, 50)

    assert five == fifty


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram and partial indexes for PostgreSQL only")
def test_postgresql_has_the_indexes_the_customer_search_and_filters_need(db):
    def indexes(table):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            return dict(cursor.fetchall())

    assert {"desk_customer_email_trgm", "desk_customer_name_trgm", "desk_customer_vulnerable"} <= \
        indexes("accounts_user").keys()
    on_complaints = indexes(Complaint._meta.db_table)
    declared = Complaint._meta.indexes
    assert declared
    for index in declared:
        assert index.name in on_complaints, index.name
        # A partial index must stay partial: the list and the sweep rely on reading only open complaints.
        assert (" WHERE " in on_complaints[index.name]) == (index.condition is not None), on_complaints[index.name]
