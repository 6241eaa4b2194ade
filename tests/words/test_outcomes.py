"""Outcomes that make sense: no contradictions, goodwill apart from redress, in the service,
the desk's forms, the final answer and the managers' reports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import RootCause, Status, Upheld
from desk.forms import ProposeForm, ResolveForm
from reports.figures import Figures
from reports.period_return import period_return
from reports.periods import Period
from reports.queries import Scope
from reports.report import build_all
from tests.conftest import file_complaint
from tests.words.reading import words

D = Decimal


@pytest.fixture
def no_fault(db):
    return RootCause.objects.get(name="No fault found")


@pytest.fixture
def billing_error(db):
    return RootCause.objects.get(name="Billing error")


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.mark.parametrize("upheld", [Upheld.UPHELD, Upheld.PARTLY])
def test_the_service_refuses_no_fault_found_with_an_upheld_complaint_and_changes_nothing(complaint, agent,
                                                                                         no_fault, upheld):
    events = complaint.events.count()
    with pytest.raises(ValidationError) as refused:
        services.resolve_complaint(complaint=complaint, agent=agent, summary="Fixed.", upheld=upheld,
                                   root_cause=no_fault, refund_amount=10)
    assert list(refused.value.message_dict) == ["root_cause"]
    assert "“No fault found” says we found no fault" in refused.value.message_dict["root_cause"][0]
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and complaint.events.count() == events

    with pytest.raises(ValidationError):
        services.propose_resolution(complaint=complaint, agent=agent, proposal="A refund.", upheld=upheld,
                                    root_cause=no_fault)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and complaint.events.count() == events


def test_the_root_causes_that_mean_no_fault_are_data(no_fault, billing_error):
    assert no_fault.no_fault and not billing_error.no_fault
    services.check_outcome(upheld=Upheld.NOT_UPHELD, root_cause=no_fault)
    services.check_outcome(upheld=Upheld.UPHELD, root_cause=billing_error)


@pytest.mark.parametrize("form_class", [ResolveForm, ProposeForm])
def test_the_desks_forms_put_the_refusal_on_the_root_cause(form_class, no_fault):
    form = form_class({"summary": "Fixed.", "proposal": "A refund.", "upheld": Upheld.UPHELD,
                       "root_cause": no_fault.pk, "credit_amount": "0", "refund_amount": "10"})
    assert not form.is_valid()
    assert list(form.errors) == ["root_cause"]
    assert "cannot be upheld" in form.errors["root_cause"][0]


def test_the_desk_shows_the_refusal_on_the_field_with_what_the_agent_typed(agent_client, complaint, no_fault):
    response = agent_client.post(reverse("admin:desk_act", args=[complaint.pk, "resolve"]), {
        "resolve-summary": "We checked the line.", "resolve-upheld": Upheld.UPHELD, "resolve-root_cause": no_fault.pk,
        "resolve-credit_amount": "0.00", "resolve-refund_amount": "0.00",
    })
    assert response.status_code == 200  # the page again, never an error page
    [form] = [action["form"] for action in response.context["actions"] if action["name"] == "resolve"]
    assert "cannot be upheld" in form.errors["root_cause"][0]
    assert "We checked the line." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_money_on_a_complaint_not_upheld_is_recorded_as_goodwill(complaint, agent, no_fault):
    services.resolve_complaint(complaint=complaint, agent=agent, summary="We found no fault on our side.",
                               upheld=Upheld.NOT_UPHELD, root_cause=no_fault, explanation=True,
                               credit_amount=D("5.00"))
    complaint.refresh_from_db()
    assert complaint.is_goodwill
    assert (complaint.goodwill_paid, complaint.redress_paid) == (D("5.00"), D("0.00"))
    answer = complaint.events.get(data__final_answer=True)
    assert answer.data["goodwill"] is True
    text = words(answer.body)
    assert "We do not think we got this wrong." in text
    assert "As a goodwill gesture, we have credited your account with £5.00." in text


def test_money_on_an_upheld_complaint_is_redress(complaint, agent, billing_error):
    services.resolve_complaint(complaint=complaint, agent=agent, summary="We charged you twice.",
                               upheld=Upheld.UPHELD, root_cause=billing_error, apology=True, refund_amount=D("19.00"))
    complaint.refresh_from_db()
    assert not complaint.is_goodwill
    assert (complaint.goodwill_paid, complaint.redress_paid) == (D("0.00"), D("19.00"))
    text = words(complaint.events.get(data__final_answer=True).body)
    assert "We agree that we got this wrong. We are sorry for what happened. We have refunded £19.00 to you." in text
    assert "goodwill" not in text


def test_the_reports_show_goodwill_apart_from_redress(customer, agent, no_fault, billing_error):
    upheld = file_complaint(customer)
    services.resolve_complaint(complaint=upheld, agent=agent, summary="Our error.", upheld=Upheld.UPHELD,
                               root_cause=billing_error, refund_amount=D("19.00"))
    goodwill = file_complaint(customer)
    services.resolve_complaint(complaint=goodwill, agent=agent, summary="No fault.", upheld=Upheld.NOT_UPHELD,
                               root_cause=no_fault, credit_amount=D("5.00"))
    today = timezone.localdate()
    scope = Scope(period=Period(today - timedelta(days=7), today))

    causes = {row["root_cause__name"]: row for row in Figures(scope).root_causes()}
    assert (causes["Billing error"]["redress"], causes["Billing error"]["goodwill"]) == (D("19.00"), D("0.00"))
    assert (causes["No fault found"]["redress"], causes["No fault found"]["goodwill"]) == (D("0.00"), D("5.00"))
    _rows, total = period_return(Figures(scope))
    assert (total.redress, total.goodwill) == (D("19.00"), D("5.00"))

    tables = build_all(scope)
    for slug in ("root_causes", "return"):
        labels = [column.label for column in tables[slug].columns]
        assert labels[-2:] == ["Redress paid", "Goodwill paid"]
        assert [cell for cell in tables[slug].total[-2:]] == [D("19.00"), D("5.00")]
