"""Subject access requests: due in one calendar month, answered with the customer's export."""

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse

from privacy import services
from privacy.admin import find_customers
from privacy.models import SarStatus, SubjectAccessRequest
from tests.conftest import file_complaint
from tests.privacy.conftest import at, uk

CHANGELIST = "admin:privacy_subjectaccessrequest_changelist"


@pytest.mark.parametrize(("received", "due"), [
    (date(2025, 9, 3), date(2025, 10, 3)),  # the same day next month
    (date(2025, 1, 31), date(2025, 2, 28)),  # no 31 February: the month's last day
    (date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
    (date(2025, 2, 1), date(2025, 3, 3)),  # 1 March is a Saturday: the next working day
    (date(2025, 4, 25), date(2025, 5, 27)),  # Sunday 25 May, then the Spring bank holiday
    (date(2025, 11, 25), date(2025, 12, 29)),  # Christmas, Boxing Day and a weekend
])
def test_a_request_is_due_one_calendar_month_after_receipt(received, due):
    assert SubjectAccessRequest.due_for(received) == due


def test_the_day_of_receipt_is_the_uk_day(customer, agent):
    # 23:30 UTC on 30 March 2025 is already 31 March in the UK (summer time).
    sar = SubjectAccessRequest(customer=customer, received_at=datetime(2025, 3, 30, 23, 30, tzinfo=UTC))
    services.record_subject_access_request(sar=sar, actor=agent)
    assert sar.due_on == date(2025, 4, 30)


def test_the_response_time_is_a_setting(settings):
    settings.SAR_RESPONSE_MONTHS = 3
    assert SubjectAccessRequest.due_for(date(2025, 9, 3)) == date(2025, 12, 3)


def test_a_request_is_overdue_after_its_due_day_until_answered(customer, agent):
    sar = services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, received_at=uk(2025, 9, 3, 10)), actor=agent)
    assert not sar.is_overdue(date(2025, 10, 3))
    assert sar.is_overdue(date(2025, 10, 4))
    sar.status = SarStatus.ANSWERED
    assert not sar.is_overdue(date(2025, 10, 4))


@pytest.fixture
def phone_customer(db):
    return get_user_model().objects.create_user(email=None, full_name="Pat Phone", phone="01632 960001",
                                                address="2 Low Road\nYork")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_customers_are_found_by_email_phone_or_tracking_number(customer, phone_customer):
    complaint = file_complaint(phone_customer)
    assert list(find_customers("DANA.customer@example.com ")) == [customer]
    assert list(find_customers("01632960001")) == [phone_customer]
    assert list(find_customers("+44 1632 960 001")) == [phone_customer]
    assert list(find_customers(complaint.tracking_number.lower())) == [phone_customer]
    assert list(find_customers("123")) == []


def test_an_agent_records_a_request_from_a_phone_customer(agent_client, agent, phone_customer):
    complaint = file_complaint(phone_customer)
    response = agent_client.post(reverse("admin:privacy_subjectaccessrequest_add"), {
        "find_customer": complaint.tracking_number, "channel": "phone",
        "received_at_0": "31/01/2025", "received_at_1": "10:00:00", "notes": "Identity checked by security questions.",
        "log-TOTAL_FORMS": "0", "log-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    sar = SubjectAccessRequest.objects.get()
    assert (sar.customer, sar.due_on, sar.status, sar.recorded_by) == (
        phone_customer, date(2025, 2, 28), SarStatus.OPEN, agent)
    assert sar.log.get().summary == "Request received by phone; to be answered by 28 February 2025"


def test_an_unknown_customer_is_refused_and_the_form_kept(agent_client):
    response = agent_client.post(reverse("admin:privacy_subjectaccessrequest_add"), {
        "find_customer": "nobody@example.com", "channel": "phone",
        "received_at_0": "31/01/2025", "received_at_1": "10:00:00", "notes": "Checked",
        "log-TOTAL_FORMS": "0", "log-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "Nobody on record matches" in response.content.decode()
    assert 'value="nobody@example.com"' in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def sar_for(customer, agent, received=None):
    return services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, received_at=received or uk(2026, 11, 2, 10)), actor=agent)


def run_action(client, action, sar):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [sar.pk]}, follow=True)


def test_the_export_is_the_customers_own_and_staff_can_download_it(agent_client, agent, phone_customer):
    complaint = file_complaint(phone_customer, description="Pat's broken meeting")
    sar = sar_for(phone_customer, agent)
    run_action(agent_client, "generate_export", sar)
    sar.refresh_from_db()
    assert sar.export and len(sar.export_sha256) == 64 and sar.export_generated_at

    response = agent_client.get(reverse("admin:privacy_subjectaccessrequest_export", args=[sar.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-request-{sar.pk}.zip"'
    body = b"".join(response.streaming_content)
    data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
    assert data["profile"]["full_name"] == "Pat Phone"
    assert [item["description"] for item in data["complaints"]] == ["Pat's broken meeting"]
    assert complaint.tracking_number in json.dumps(data)
    assert [entry.summary.split(" (")[0] for entry in sar.log.all()][1:] == ["Export generated", "Export downloaded"]
    assert sar.log.last().actor == agent


def test_answering_deletes_the_file_and_keeps_its_hash(agent_client, agent, phone_customer,
                                                       django_capture_on_commit_callbacks):
    # Answered within the month (the request came on 2 November), whatever today's date is.
    with at(uk(2026, 11, 20, 10)):
        sar = sar_for(phone_customer, agent)
        services.generate_subject_access_export(sar=sar, actor=agent)
        sar.refresh_from_db()
        name, digest = sar.export.name, sar.export_sha256
        with django_capture_on_commit_callbacks(execute=True):
            run_action(agent_client, "mark_answered", sar)
    sar.refresh_from_db()
    assert (sar.status, sar.answered_by, sar.export_sha256, sar.export.name) == (
        SarStatus.ANSWERED, agent, digest, "")
    assert sar.answered_at is not None
    assert not default_storage.exists(name)
    assert [entry.summary.split(" ")[0] for entry in sar.log.all()] == ["Request", "Export", "Answered:"]


def test_a_request_cannot_be_answered_without_an_export(agent_client, agent, customer):
    sar = sar_for(customer, agent)
    response = run_action(agent_client, "mark_answered", sar)
    assert "Generate the export" in response.content.decode()
    sar.refresh_from_db()
    assert sar.status == SarStatus.OPEN


def test_a_late_answer_says_so_in_the_log(agent, customer):
    with at(uk(2025, 2, 3, 10)):
        sar = sar_for(customer, agent, received=uk(2025, 1, 31, 10))
        services.generate_subject_access_export(sar=sar, actor=agent)
    with at(uk(2025, 3, 3, 10)):
        services.mark_subject_access_answered(sar=sar, actor=agent)
    assert sar.log.last().summary.startswith("Answered late:")


def test_the_list_puts_the_earliest_due_first_and_flags_overdue_ones(agent_client, agent, customer, other_customer):
    later = sar_for(customer, agent, received=uk(2026, 11, 20, 10))
    overdue = sar_for(other_customer, agent, received=uk(2026, 9, 1, 10))
    with at(uk(2026, 11, 27, 10)):
        response = agent_client.get(reverse(CHANGELIST))
        assert list(response.context["cl"].result_list) == [overdue, later]
        page = response.content.decode()
        assert page.count('alt="True"') == 1
        overdue_only = agent_client.get(reverse(CHANGELIST), {"deadline": "overdue"})
        assert list(overdue_only.context["cl"].result_list) == [overdue]


def test_managers_can_work_on_requests_and_customers_cannot(client, manager, customer):
    client.force_login(manager)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    client.force_login(customer)
    assert client.get(reverse(CHANGELIST)).status_code == 302


def test_requests_cannot_be_deleted(agent_client, agent, customer):
    sar = sar_for(customer, agent)
    assert agent_client.get(reverse("admin:privacy_subjectaccessrequest_delete", args=[sar.pk])).status_code == 403


def test_the_request_page_shows_the_customer_the_export_and_the_log(agent_client, agent, phone_customer):
    sar = sar_for(phone_customer, agent)
    services.generate_subject_access_export(sar=sar, actor=agent)
    page = agent_client.get(reverse("admin:privacy_subjectaccessrequest_change", args=[sar.pk])).content.decode()
    assert "Pat Phone" in page and "01632 960001" in page
    assert reverse("admin:privacy_subjectaccessrequest_export", args=[sar.pk]) in page
    assert "Request received by phone" in page and "Export generated" in page


def test_editing_the_notes_is_logged(agent_client, agent, customer):
    sar = sar_for(customer, agent)
    response = agent_client.post(reverse("admin:privacy_subjectaccessrequest_change", args=[sar.pk]), {
        "notes": "Sent by recorded post.", "log-TOTAL_FORMS": "1", "log-INITIAL_FORMS": "1",
        "log-0-id": sar.log.get().pk, "log-0-request": sar.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    sar.refresh_from_db()
    assert sar.notes == "Sent by recorded post."
    assert sar.log.last().summary == "Notes updated"


def test_erasures_and_closed_accounts_are_records_staff_can_read(agent_client):
    for name in ("erasure", "customererasure", "accountclosure"):
        assert agent_client.get(reverse(f"admin:privacy_{name}_changelist")).status_code == 200
        assert agent_client.get(reverse(f"admin:privacy_{name}_add")).status_code == 403
