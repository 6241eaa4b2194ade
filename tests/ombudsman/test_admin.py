"""The ombudsman admin: schemes and policies for managers, letters read-only, referrals through services."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import clock
from complaints.models import Event, EventKind
from ombudsman import delivery, services
from ombudsman.models import Letter, LetterStatus, Referral, Scheme, WaitingPeriodPolicy
from tests.ombudsman.conftest import file_due_complaint


def scheme_form(scheme, **changes):
    data = {field: getattr(scheme, field) for field in (
        "name", "short_name", "operator", "website", "phone", "fax", "email", "postal_address",
        "referral_window_months", "compliance_deadline", "compliance_day_count", "award_limit")}
    data.update({"is_active": "on", "is_provider_scheme": "on", **changes})
    return data


def test_managers_update_the_schemes_details(client, manager):
    otelo = Scheme.objects.get(slug="otelo")
    client.force_login(manager)
    url = reverse("admin:ombudsman_scheme_change", args=[otelo.pk])
    response = client.post(url, scheme_form(otelo, name="Communications Ombudsman", phone="0330 440 1614"))
    assert response.status_code == 302
    otelo.refresh_from_db()
    assert (otelo.name, otelo.phone) == ("Communications Ombudsman", "0330 440 1614")


def test_a_scheme_cannot_be_used_without_its_contact_details(client, manager):
    cisas = Scheme.objects.get(slug="cisas")
    client.force_login(manager)
    url = reverse("admin:ombudsman_scheme_change", args=[cisas.pk])
    data = scheme_form(cisas, is_provider_scheme="")
    response = client.post(url, data)
    assert "Fill in the scheme" in response.content.decode()
    cisas.refresh_from_db()
    assert not cisas.is_active


def test_agents_may_read_but_not_change_schemes(client, agent):
    otelo = Scheme.objects.get(slug="otelo")
    client.force_login(agent)
    url = reverse("admin:ombudsman_scheme_change", args=[otelo.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, scheme_form(otelo, phone="1")).status_code == 403


def test_managers_add_a_future_policy_but_cannot_rewrite_one_in_force(client, manager):
    client.force_login(manager)
    starts = timezone.localdate() + timedelta(days=30)
    response = client.post(reverse("admin:ombudsman_waitingperiodpolicy_add"),
                           {"effective_from": starts.isoformat(), "days": 42, "note": "6 weeks"})
    assert response.status_code == 302
    future = WaitingPeriodPolicy.objects.get(effective_from=starts)
    in_force = WaitingPeriodPolicy.objects.get(effective_from=date(2000, 1, 1))
    change = "admin:ombudsman_waitingperiodpolicy_change"
    assert client.post(reverse(change, args=[in_force.pk]),
                       {"effective_from": "2000-01-01", "days": 30}).status_code == 403
    assert client.post(reverse(change, args=[future.pk]),
                       {"effective_from": starts.isoformat(), "days": 35}).status_code == 302


@pytest.fixture
def sent_letter(customer):
    letter = services.create_adr_letter(complaint=file_due_complaint(customer))
    delivery.deliver(letter.pk)
    letter.refresh_from_db()
    return letter


def test_the_letter_list_shows_status_and_letters_are_read_only(client, manager, sent_letter):
    client.force_login(manager)
    listing = client.get(reverse("admin:ombudsman_letter_changelist")).content.decode()
    assert sent_letter.complaint.tracking_number in listing
    assert "Emailed" in listing
    url = reverse("admin:ombudsman_letter_change", args=[sent_letter.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"text": "changed"}).status_code == 403
    delete_url = reverse("admin:ombudsman_letter_delete", args=[sent_letter.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Letter.objects.get(pk=sent_letter.pk).text == sent_letter.text


def test_staff_mark_printed_letters_as_posted(client, agent, customer):
    customer.preferred_contact = "post"
    customer.save()
    letter = services.create_adr_letter(complaint=file_due_complaint(customer))
    delivery.deliver(letter.pk)
    client.force_login(agent)
    response = client.post(reverse("admin:ombudsman_letter_changelist"),
                           {"action": "mark_posted", "_selected_action": [letter.pk]})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.POSTED
    assert Event.objects.filter(complaint=letter.complaint, summary__endswith="posted").exists()


def test_recording_a_decision_in_the_admin_writes_the_timeline(client, agent, customer):
    complaint = file_due_complaint(customer)
    referral = services.record_referral(complaint=complaint, actor=customer, referred_on=clock.uk_today())
    client.force_login(agent)
    today = clock.uk_today().isoformat()

    def record(fact, **data):
        return client.post(reverse("admin:ombudsman_referral_fact", args=[referral.pk, fact]), data)

    refused = record("decision", decision="upheld", decision_on=today, award_amount="20000.00")
    assert "The scheme can award at most" in refused.content.decode()
    assert record("decision", decision="upheld", decision_on=today, remedy_apology="on",
                  award_amount="250.00").status_code == 302
    assert record("customer-acceptance", customer_accepted_on=today).status_code == 302

    referral.refresh_from_db()
    assert referral.award_amount == 250
    assert referral.compliance_due_on == clock.uk_today() + timedelta(days=28)
    summaries = list(Event.objects.filter(complaint=complaint, kind=EventKind.OMBUDSMAN)
                     .values_list("summary", flat=True))
    assert summaries[1:] == ["Otelo decided: upheld",
                             f"The customer accepted the decision; we must comply by "
                             f"{referral.compliance_due_on.day} {referral.compliance_due_on:%B %Y}"]


def test_staff_record_a_referral_made_by_phone(client, agent, customer):
    complaint = file_due_complaint(customer)
    client.force_login(agent)
    response = client.post(reverse("admin:ombudsman_referral_add"), {
        "complaint": complaint.pk, "referred_on": clock.uk_today().isoformat(), "case_reference": "OS-1",
    })
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.recorded_by, referral.case_reference) == (agent, "OS-1")


def test_a_referral_the_rules_do_not_allow_is_refused_in_the_admin(client, agent, large_business_customer):
    complaint = file_due_complaint(large_business_customer)
    client.force_login(agent)
    response = client.post(reverse("admin:ombudsman_referral_add"), {
        "complaint": complaint.pk, "referred_on": clock.uk_today().isoformat(),
    })
    assert "no right to ADR" in response.content.decode()
    assert not Referral.objects.exists()
