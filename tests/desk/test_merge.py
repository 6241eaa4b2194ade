"""The desk's "Merge a duplicate into this complaint": type the other number, read what merging
does and what the customer is told, confirm with a POST; a refusal comes back on the field."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import User
from complaints import services
from complaints.models import AccessKind, Channel, ComplaintAccess, Status
from ombudsman import sweep
from tests.complaints.conftest import pdf
from tests.conftest import PASSWORD, file_complaint, give_authenticator
from tests.desk.conftest import client_for, page_url
from tests.ombudsman.conftest import uk


def merge_url(complaint):
    return reverse("admin:desk_merge", args=[complaint.pk])


@pytest.fixture
def pair(customer, agent):
    """The customer rang on 2 March (logged by an agent, with a file), then complained on the web
    on 20 March: the web complaint carries on and the phone one is its duplicate."""
    with time_machine.travel(uk(2026, 3, 2, 10), tick=False):
        phone = file_complaint(customer, channel=Channel.PHONE, logged_by=agent, attachments=[pdf("rang.pdf")],
                               description="Rang about dropped meetings.")
        services.add_customer_message(complaint=phone, customer=customer, body="Following up my call.")
    with time_machine.travel(uk(2026, 3, 20, 10), tick=False):
        web = file_complaint(customer, description="Meetings keep dropping.")
    return web, phone


def preview(client, survivor, typed):
    with time_machine.travel(uk(2026, 4, 1, 9)):
        return client.get(merge_url(survivor), {"tracking_number": typed})


def confirm(client, survivor, typed, **kwargs):
    with time_machine.travel(uk(2026, 4, 1, 9)):
        return client.post(merge_url(survivor), {"tracking_number": typed}, **kwargs)


def test_the_page_asks_for_the_duplicates_tracking_number(agent_client, pair):
    web, _phone = pair

    response = agent_client.get(merge_url(web))

    assertContains(response, 'name="tracking_number"')
    assertContains(response, "Tracking number of the duplicate")


def test_a_mistyped_number_is_shown_on_the_field_with_what_was_typed(agent_client, pair):
    web, _phone = pair

    response = preview(agent_client, web, "LMI-ABCD-123")

    assertContains(response, "Check the tracking number")
    assertContains(response, 'value="LMI-ABCD-123"')


def test_another_customers_complaint_is_refused_on_the_field(agent_client, pair, other_customer):
    web, _phone = pair
    theirs = file_complaint(other_customer)

    response = preview(agent_client, web, theirs.tracking_number)

    assertContains(response, "is another customer&#x27;s complaint")
    assertNotContains(response, "desk-merge-confirm")


def test_the_preview_shows_both_complaints_the_result_and_the_customers_message(agent_client, agent, pair):
    web, phone = pair

    response = preview(agent_client, web, phone.tracking_number.lower().replace("-", ""))

    for words in ("Meetings keep dropping.", "Rang about dropped meetings.",  # side by side
                  "2 Mar 2026, 10:00", "27 Apr 2026 (was 15 May 2026)",  # the date received and ADR date
                  f"By email to <strong>{web.customer.email}</strong>",
                  f"Your complaints {phone.tracking_number} and {web.tracking_number} are now one complaint",
                  "We count from the first time you told us, on 2 March 2026."):
        assertContains(response, words)
    assertContains(response, f'name="tracking_number" value="{phone.tracking_number}"')
    phone.refresh_from_db()
    assert phone.status != Status.MERGED
    seen = set(ComplaintAccess.objects.filter(staff=agent, kind=AccessKind.COMPLAINT_PAGE)
               .values_list("complaint", flat=True))
    assert seen == {web.pk, phone.pk}


def test_confirming_merges_and_goes_back_to_the_survivor(agent_client, pair):
    web, phone = pair

    response = confirm(agent_client, web, phone.tracking_number, follow=True)

    assertRedirects(response, page_url(web))
    assertContains(response, f"{phone.tracking_number} is merged into this complaint")
    phone.refresh_from_db()
    assert phone.merged_into == web


def test_a_second_confirmation_merges_once_and_says_so(agent_client, pair):
    web, phone = pair
    confirm(agent_client, web, phone.tracking_number)

    response = confirm(agent_client, web, phone.tracking_number, follow=True)

    assertRedirects(response, page_url(web))
    assertContains(response, f"{phone.tracking_number} was merged into {web.tracking_number} already.")
    assert web.events.filter(kind="merged").count() == 1


def test_confirming_needs_the_csrf_token(agent, pair):
    web, phone = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = confirm(client, web, phone.tracking_number)

    assert response.status_code == 403
    phone.refresh_from_db()
    assert phone.merged_into is None


def test_staff_without_the_change_permission_may_not_merge(pair):
    web, phone = pair
    reader = User.objects.create_user(email="reader@example.com", password=PASSWORD, full_name="Rea Der",
                                      is_staff=True)
    give_authenticator(reader)

    assert client_for(reader).get(merge_url(web)).status_code == 403
    assert confirm(client_for(reader), web, phone.tracking_number).status_code == 403


def test_the_survivors_desk_page_shows_both_timelines_and_the_way_to_merge(agent_client, agent, pair):
    web, phone = pair
    with time_machine.travel(uk(2026, 4, 27, 0, 5), tick=False):
        sweep.run()  # the phone complaint's ADR letter
    with time_machine.travel(uk(2026, 4, 28, 9), tick=False):
        services.merge_complaints(survivor=web, duplicate=phone, actor=agent)

    response = agent_client.get(page_url(web))

    assertContains(response, "Following up my call.")
    assertContains(response, "rang.pdf")
    assertContains(response, "End of waiting period letter")
    assertContains(response, merge_url(web))
