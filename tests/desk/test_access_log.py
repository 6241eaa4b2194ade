"""The staff access log: each staff route that shows a complaint's data records who saw it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import PreferredContact
from complaints import services
from complaints.models import AccessKind, AppendOnlyError, Attachment, ComplaintAccess
from ombudsman import services as adr_services
from tests.conftest import file_complaint
from tests.desk.conftest import client_for, due_complaint, list_url, page_url, post_action

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LOG_URL = reverse("admin:complaints_complaintaccess_changelist")


def accesses():
    return list(ComplaintAccess.objects.values_list("staff", "complaint", "kind"))


def with_attachment(customer):
    upload = SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")
    complaint = file_complaint(customer, attachments=[upload])
    return complaint, complaint.attachments.get()


def attachment_url(attachment):
    return reverse("admin:desk_attachment", args=[attachment.complaint_id, attachment.pk])


def print_pdf_url(source, letter):
    return reverse("admin:desk_print_pdf", args=[source, letter.pk])


def inserts_into_the_log(queries):
    return [query for query in queries if query["sql"].startswith("INSERT") and "desk_complaintaccess" in query["sql"]]


def test_opening_a_complaint_page_records_one_view_in_one_insert(agent_client, agent, complaint):
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(page_url(complaint))

    assert response.status_code == 200
    assert accesses() == [(agent.pk, complaint.pk, AccessKind.COMPLAINT_PAGE)]
    assert len(inserts_into_the_log(queries.captured_queries)) == 1


def test_a_page_shown_again_with_an_actions_errors_is_not_a_second_view(agent_client, agent, complaint):
    agent_client.get(page_url(complaint))

    response = post_action(agent_client, complaint, "note", {"note-body": ""})

    assert response.status_code == 200
    assert accesses() == [(agent.pk, complaint.pk, AccessKind.COMPLAINT_PAGE)]


def test_downloading_an_attachment_records_one_view(agent_client, agent, customer):
    complaint, attachment = with_attachment(customer)

    response = agent_client.get(attachment_url(attachment))

    assert response.status_code == 200
    assert accesses() == [(agent.pk, complaint.pk, AccessKind.ATTACHMENT)]


def test_an_erased_attachment_is_a_404_and_no_view(agent_client, customer):
    _, attachment = with_attachment(customer)
    Attachment.objects.filter(pk=attachment.pk).update(file="")

    assert agent_client.get(attachment_url(attachment)).status_code == 404
    assert accesses() == []


def test_exporting_records_one_view_of_each_exported_complaint_in_one_insert(agent_client, agent, customer):
    first, second = file_complaint(customer), file_complaint(customer)
    file_complaint(customer)  # not selected, so not exported

    with CaptureQueriesContext(connection) as queries:
        response = agent_client.post(list_url() + "?view=all", {"action": "export_csv", "index": 0,
                                                  ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
        b"".join(response.streaming_content)

    assert sorted(accesses()) == sorted([(agent.pk, first.pk, AccessKind.EXPORT),
                                         (agent.pk, second.pk, AccessKind.EXPORT)])
    assert len(inserts_into_the_log(queries.captured_queries)) == 1


def test_opening_an_adr_letter_or_a_postal_letter_pdf_records_one_view_each(agent_client, agent, customer):
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    acknowledged = file_complaint(customer)
    postal = acknowledged.postal_letters.get()
    letter = adr_services.declare_deadlock(complaint=due_complaint(customer), actor=agent, reason="Final.")

    assert agent_client.get(print_pdf_url("postal", postal)).status_code == 200
    assert agent_client.get(print_pdf_url("letter", letter)).status_code == 200

    assert sorted(accesses()) == sorted([(agent.pk, acknowledged.pk, AccessKind.LETTER_PDF),
                                         (agent.pk, letter.complaint_id, AccessKind.LETTER_PDF)])


def test_staff_opening_the_customers_letter_link_get_it_and_are_logged(agent_client, agent, customer):
    letter = adr_services.declare_deadlock(complaint=due_complaint(customer), actor=agent, reason="Final.")
    customer_url = reverse("ombudsman:letter_pdf", args=[letter.complaint.tracking_number, letter.pk])

    response = agent_client.get(customer_url)

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert accesses() == [(agent.pk, letter.complaint_id, AccessKind.LETTER_PDF)]


def test_the_desk_and_the_letters_admin_link_letters_to_logged_staff_routes(agent_client, agent, customer):
    letter = adr_services.declare_deadlock(complaint=due_complaint(customer), actor=agent, reason="Final.")
    desk = agent_client.get(reverse("admin:complaints_complaint_change", args=[letter.complaint_id])).text
    letters_admin = agent_client.get(reverse("admin:ombudsman_letter_change", args=[letter.pk])).text

    customer_link = reverse("ombudsman:letter_pdf", args=[letter.complaint.tracking_number, letter.pk])
    assert f'href="{print_pdf_url("letter", letter)}"' in desk
    assert f'href="{reverse("admin:ombudsman_letter_pdf", args=[letter.pk])}"' in letters_admin
    assert customer_link not in desk and customer_link not in letters_admin


def test_customers_reading_their_own_complaint_are_not_logged(customer, agent):
    complaint, attachment = with_attachment(customer)
    services.add_staff_message(complaint=complaint, agent=agent, body="We are looking into it.")
    letter = adr_services.declare_deadlock(complaint=due_complaint(customer), actor=agent, reason="Final.")
    client = client_for(customer)

    urls = [
        complaint.get_absolute_url(),
        reverse("complaints:attachment", args=[complaint.tracking_number, attachment.pk]),
        reverse("ombudsman:letter_pdf", args=[letter.complaint.tracking_number, letter.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert accesses() == []


def test_managers_read_the_log_filtered_by_staff_member_and_searched_by_tracking_number(
        manager_client, agent_client, manager, agent, customer):
    seen_by_agent, seen_by_both = file_complaint(customer), file_complaint(customer)
    agent_client.get(page_url(seen_by_agent))
    agent_client.get(page_url(seen_by_both))
    manager_client.get(page_url(seen_by_both))

    everything = manager_client.get(LOG_URL)
    by_agent = manager_client.get(LOG_URL, {"staff": agent.pk})
    typed_loosely = seen_by_agent.tracking_number.lower().replace("-", " ")
    searched = manager_client.get(LOG_URL, {"q": typed_loosely})

    assert everything.status_code == 200
    assert len(everything.context["cl"].result_list) == 3
    assert {access.staff for access in by_agent.context["cl"].result_list} == {agent}
    assert [access.complaint for access in searched.context["cl"].result_list] == [seen_by_agent]


def test_agents_cannot_read_the_log_and_nobody_changes_or_deletes_a_row(agent_client, manager_client, agent,
                                                                          complaint):
    agent_client.get(page_url(complaint))
    access = ComplaintAccess.objects.get()

    assert agent_client.get(LOG_URL).status_code == 403
    manager_page = manager_client.get(reverse("admin:complaints_complaintaccess_change", args=[access.pk]))
    assertNotContains(manager_page, 'name="_save"')
    for client in (agent_client, manager_client):
        assert client.post(reverse("admin:complaints_complaintaccess_change", args=[access.pk]),
                           {"kind": AccessKind.EXPORT}).status_code == 403
        assert client.post(reverse("admin:complaints_complaintaccess_delete", args=[access.pk]),
                           {"post": "yes"}).status_code == 403
    assertNotContains(manager_client.get(LOG_URL), "delete_selected")
    assert ComplaintAccess.objects.get() == access and access.kind == AccessKind.COMPLAINT_PAGE


def test_the_log_is_append_only_in_code_too(agent, complaint):
    access = ComplaintAccess.objects.create(staff=agent, complaint=complaint, kind=AccessKind.COMPLAINT_PAGE)

    for attempt in (access.save, access.delete, ComplaintAccess.objects.all().delete,
                    lambda: ComplaintAccess.objects.update(kind=AccessKind.EXPORT)):
        with pytest.raises(AppendOnlyError):
            attempt()


def test_managers_see_who_viewed_the_complaint_on_its_page_latest_twenty(manager_client, agent_client, agent,
                                                                          complaint):
    for _ in range(25):
        agent_client.get(page_url(complaint))

    response = manager_client.get(page_url(complaint))

    assertContains(response, "Who viewed this complaint")
    shown = list(response.context["who_viewed"])
    assert len(shown) == 20
    assert shown[0].staff.email == "morgan.manager@example.com"
    assertContains(response, "Alex Agent: complaint page", count=19)


def test_agents_do_not_see_who_viewed_the_complaint(agent_client, complaint):
    assertNotContains(agent_client.get(page_url(complaint)), "Who viewed this complaint")
