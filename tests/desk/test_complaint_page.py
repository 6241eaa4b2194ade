"""A complaint's page in the admin: what it shows, and each action through its button."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import User
from complaints import services
from complaints.models import EventKind, Status, Upheld
from ombudsman import services as adr_services
from ombudsman.models import Decision, LetterKind, Referral, Scheme
from tests.conftest import file_complaint
from tests.desk.conftest import act_url, due_complaint, page_url, post_action

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def outcome(prefix, root_cause, **extra):
    return {f"{prefix}-upheld": Upheld.UPHELD, f"{prefix}-root_cause": root_cause.pk, f"{prefix}-apology": "on",
            f"{prefix}-credit_amount": "10.00", f"{prefix}-refund_amount": "0.00",
            **{f"{prefix}-{key}": value for key, value in extra.items()}}


def test_the_page_shows_the_record_the_clock_the_customer_and_the_timeline(agent_client, customer, agent):
    customer.support_consent_at = timezone.now()
    customer.vulnerable = True
    customer.vulnerability_notes = "Recently bereaved."
    customer.save()
    complaint = file_complaint(customer, category="billing_discrepancy",
                               statement_date=(timezone.now() - timedelta(days=45)).date())
    services.add_internal_note(complaint=complaint, agent=agent, body="Checked the billing system.")

    response = agent_client.get(page_url(complaint))

    assertContains(response, complaint.tracking_number)
    assertContains(response, "Checked the billing system.")
    assertContains(response, "Staff only")
    assertContains(response, "Recently bereaved.")
    assertContains(response, "Vulnerable")
    assertContains(response, "Billing reported after 30 days")
    assertContains(response, "56 d left")
    assertContains(response, "Acknowledgement to dana.customer@example.com")
    assertNotContains(response, 'name="_save"')


def test_support_needs_without_consent_are_not_shown(agent_client, complaint):
    assertContains(agent_client.get(page_url(complaint)), "None on record (no consent to keep any)")


def test_the_page_cannot_be_saved_as_a_form(superuser_client, complaint):
    assert superuser_client.post(page_url(complaint), {"status": "resolved"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_letters_and_the_referral_are_shown_with_pdf_links(agent_client, customer, agent):
    complaint = due_complaint(customer)
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    adr_services.record_referral(complaint=complaint, actor=customer, referred_on=timezone.localdate(),
                                 case_reference="OS-123")

    response = agent_client.get(page_url(complaint))

    # The desk's own route, which records that the agent opened the letter.
    desk_pdf = f"/admin/complaints/complaint/print-queue/letter/{letter.pk}.pdf"
    assertContains(response, f'href="{desk_pdf}"')
    assertContains(response, "Deadlock letter")
    assertContains(response, "case OS-123")
    pdf = agent_client.get(desk_pdf)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_attachments_download_for_staff_with_permission_only(agent_client, customer_client, complaint, customer):
    services.add_customer_message(
        complaint=complaint, customer=customer, body="Here is my bill.",
        attachments=[SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    attachment = complaint.attachments.get()
    url = f"/admin/complaints/complaint/{complaint.pk}/attachments/{attachment.pk}/"

    response = agent_client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assertContains(agent_client.get(page_url(complaint)), url)
    assert customer_client.get(url).status_code == 302  # to the admin's login page


@pytest.mark.parametrize("action, data, check", [
    ("acknowledge", {}, lambda c: c.status == Status.ACKNOWLEDGED),
    ("reply", {"reply-body": "We are on it."},
     lambda c: c.events.filter(kind=EventKind.MESSAGE, body="We are on it.", visible_to_customer=True).exists()),
    ("note", {"note-body": "Spoke to billing."},
     lambda c: c.events.filter(kind=EventKind.NOTE, visible_to_customer=False).exists()),
    ("request_information", {"request_information-body": "Which invoice?"},
     lambda c: c.status == Status.AWAITING_CUSTOMER),
    ("deadlock", {"deadlock-reason": "Our final position stands.", "confirm": "yes"},
     lambda c: c.status == Status.DEADLOCK and c.letters.filter(kind=LetterKind.DEADLOCK).exists()),
    ("change_received_date", {"change_received_date-received_at": "2026-01-05T09:30",
                              "change_received_date-reason": "They first phoned then."},
     lambda c: c.received_on.isoformat() == "2026-01-05"),
])
def test_an_agent_takes_each_action_and_it_is_recorded(agent_client, complaint, agent, action, data, check):
    before = complaint.events.count()

    response = post_action(agent_client, complaint, action, data)

    assert response.status_code == 302 and response.url == page_url(complaint)
    complaint.refresh_from_db()
    assert check(complaint)
    assert complaint.events.count() > before
    assert complaint.events.order_by("-id").filter(actor=agent).exists()


def test_an_agent_proposes_a_resolution_with_its_outcome(agent_client, complaint, root_cause):
    response = post_action(agent_client, complaint, "propose",
                           outcome("propose", root_cause, proposal="A £10 credit and an apology."))

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLUTION_PROPOSED
    assert services.current_proposal(complaint).data["outcome"]["credit_amount"] == "10.00"


def test_an_agent_resolves_with_summary_upheld_root_cause_and_remedy(agent_client, complaint, root_cause):
    response = post_action(agent_client, complaint, "resolve",
                           {**outcome("resolve", root_cause, summary="We credited £10."), "confirm": "yes"})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.upheld, complaint.root_cause) == (Status.RESOLVED, Upheld.UPHELD, root_cause)
    assert complaint.remedy_apology and str(complaint.credit_amount) == "10.00"


def test_resolving_needs_a_root_cause_and_keeps_what_was_typed(agent_client, complaint):
    response = post_action(agent_client, complaint, "resolve", {"resolve-summary": "We credited £10.",
                                                                "resolve-upheld": "upheld"})

    assert response.status_code == 200
    assertContains(response, "We credited £10.")
    assertContains(response, "This field is required.")
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_an_agent_reopens_a_closed_complaint_with_a_reason(agent_client, complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    post_action(agent_client, complaint, "reopen", {"reopen-reason": "The customer rang back."})

    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATING


def test_an_agent_records_a_referral_and_the_schemes_decision(agent_client, customer):
    complaint = due_complaint(customer)

    post_action(agent_client, complaint, "record_referral",
                      {"record_referral-referred_on": timezone.localdate().isoformat(),
                       "record_referral-case_reference": "OS-9"})
    post_action(agent_client, complaint, "record_decision",
                      {"record_decision-decision": Decision.UPHELD,
                       "record_decision-decided_on": timezone.localdate().isoformat(),
                       "record_decision-award_amount": "50.00", "record_decision-apology": "on"})

    referral = complaint.referral
    referral.refresh_from_db()
    assert referral.case_reference == "OS-9" and referral.decision == Decision.UPHELD
    assert str(referral.award_amount) == "50.00"
    assert complaint.events.filter(kind=EventKind.OMBUDSMAN).count() == 2


def test_a_referral_the_rules_refuse_comes_back_as_an_error(agent_client, customer):
    complaint = due_complaint(customer)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = post_action(agent_client, complaint, "record_referral",
                                 {"record_referral-referred_on": tomorrow.isoformat()})

    assertContains(response, "cannot be in the future")
    assert not Referral.objects.filter(complaint=complaint).exists()


def test_no_referral_is_offered_before_the_customer_may_go_to_the_scheme(agent_client, complaint):
    assertNotContains(agent_client.get(page_url(complaint)), 'id="action-record_referral"')


def test_a_move_the_rules_forbid_is_refused_with_a_message(agent_client, complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    response = post_action(agent_client, complaint, "deadlock", {"deadlock-reason": "Final.", "confirm": "yes"},
                           follow=True)

    assertContains(response, "is not possible on this complaint now")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN


def test_a_letter_missing_an_element_is_refused_and_nothing_changes(agent_client, complaint):
    Scheme.objects.filter(is_provider_scheme=True).update(phone="")

    response = post_action(agent_client, complaint, "deadlock", {"deadlock-reason": "Final.", "confirm": "yes"})

    assertContains(response, "cannot be sent")
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and not complaint.letters.exists()


def test_assign_to_me_and_to_another_agent(agent_client, complaint, agent, other_agent):
    post_action(agent_client, complaint, "assign", {"assign-agent": agent.pk})
    complaint.refresh_from_db()
    assert complaint.assigned_to == agent

    post_action(agent_client, complaint, "assign", {"assign-agent": other_agent.pk})
    complaint.refresh_from_db()
    assert complaint.assigned_to == other_agent


def test_customers_cannot_be_assigned_complaints(agent_client, complaint, other_customer):
    response = post_action(agent_client, complaint, "assign", {"assign-agent": other_customer.pk})

    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.assigned_to is None


def test_an_unknown_action_is_not_found(agent_client, complaint):
    assert post_action(agent_client, complaint, "delete").status_code == 404


def test_actions_are_posted_never_got(agent_client, complaint):
    assert agent_client.get(act_url(complaint, "acknowledge")).status_code == 405


def test_only_the_actions_the_status_allows_are_offered(agent_client, complaint, customer):
    services.withdraw_complaint(complaint=complaint, customer=customer)

    response = agent_client.get(page_url(complaint))

    assertContains(response, 'id="action-reopen"')
    assertNotContains(response, 'id="action-deadlock"')
    assertNotContains(response, 'id="action-acknowledge"')


def test_staff_without_desk_permissions_see_no_actions(client, complaint):
    viewer = User.objects.create_user(email="viewer@example.com", password="x", full_name="Viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(page_url(complaint)).status_code == 403
    assert post_action(client, complaint, "acknowledge").status_code == 403


def test_assign_to_me_is_offered_to_agents_only_while_they_may_take_it(agent_client, superuser_client, complaint,
                                                                       agent):
    assertContains(agent_client.get(page_url(complaint)), 'id="desk-assign-to-me"')
    # A superuser outside the staff groups is not someone complaints are assigned to.
    assertNotContains(superuser_client.get(page_url(complaint)), 'id="desk-assign-to-me"')
    services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    assertNotContains(agent_client.get(page_url(complaint)), 'id="desk-assign-to-me"')
