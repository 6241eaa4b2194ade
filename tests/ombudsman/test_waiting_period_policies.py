"""Waiting-period policies: 1 to 56 days (a database constraint), added from tomorrow or later,
and correctable or deletable only until they take effect."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from ombudsman import services
from ombudsman.models import WaitingPeriodPolicy
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk

TODAY, TOMORROW = date(2026, 12, 10), date(2026, 12, 11)
ADD = "admin:ombudsman_waitingperiodpolicy_add"
CHANGE = "admin:ombudsman_waitingperiodpolicy_change"
DELETE = "admin:ombudsman_waitingperiodpolicy_delete"


@pytest.fixture(autouse=True)
def _on_10_december_2026():
    # Late in the UK evening: "tomorrow" is the UK's, whatever the hour elsewhere.
    with time_machine.travel(uk(2026, 12, 10, 23, 45), tick=False):
        yield


@pytest.mark.parametrize("days", [0, 57, 30_000])
def test_the_database_refuses_a_policy_outside_1_to_56_days(db, days):
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitingPeriodPolicy.objects.create(effective_from=date(2027, 1, 1), days=days)


def test_the_seeded_default_from_2000_stays_valid(db):
    default = WaitingPeriodPolicy.objects.get(effective_from=date(2000, 1, 1))

    default.full_clean()
    assert default.days == 56


def test_a_manager_adds_a_policy_from_tomorrow_and_it_fixes_new_complaints_only(manager, customer):
    before = file_complaint(customer)

    policy = services.add_waiting_period_policy(effective_from=TOMORROW, days=42, note=" 6 weeks ", actor=manager)

    assert (policy.effective_from, policy.days, policy.note) == (TOMORROW, 42, "6 weeks")
    with time_machine.travel(uk(2026, 12, 11, 0, 1), tick=False):
        assert file_complaint(customer).waiting_period_days == 42
    before.refresh_from_db()
    assert before.waiting_period_days == 56


@pytest.mark.parametrize("effective_from, days, field, words", [
    (TODAY, 42, "effective_from", "from tomorrow (11 December 2026) or later"),
    (date(2026, 1, 1), 42, "effective_from", "from tomorrow"),
    (TOMORROW, 30_000, "days", "at most 56 days"),
    (TOMORROW, 57, "days", "at most 56 days"),
    (TOMORROW, 0, "days", "at least 1 day"),
])
def test_the_service_refuses_what_the_rules_do_not_allow(manager, effective_from, days, field, words):
    with pytest.raises(ValidationError) as excinfo:
        services.add_waiting_period_policy(effective_from=effective_from, days=days, note="", actor=manager)

    assert words in " ".join(excinfo.value.message_dict[field])
    assert WaitingPeriodPolicy.objects.count() == 1


def test_only_managers_set_the_waiting_period(agent):
    with pytest.raises(PermissionDenied):
        services.add_waiting_period_policy(effective_from=TOMORROW, days=42, note="", actor=agent)


def test_a_policy_not_yet_in_force_is_corrected_or_deleted_but_one_in_force_is_not(manager):
    policy = services.add_waiting_period_policy(effective_from=date(2027, 1, 1), days=42, actor=manager)

    with pytest.raises(ValidationError, match="from tomorrow"):
        services.change_waiting_period_policy(policy=policy, effective_from=TODAY, days=42, actor=manager)
    corrected = services.change_waiting_period_policy(policy=policy, effective_from=TOMORROW, days=35,
                                                      note="5 weeks", actor=manager)
    assert (corrected.effective_from, corrected.days) == (TOMORROW, 35)

    in_force = WaitingPeriodPolicy.objects.get(effective_from=date(2000, 1, 1))
    with pytest.raises(ValidationError, match="in force since 1 January 2000"):
        services.change_waiting_period_policy(policy=in_force, effective_from=date(2027, 2, 1), days=42,
                                              actor=manager)
    with pytest.raises(ValidationError, match="in force"):
        services.delete_waiting_period_policy(policy=in_force, actor=manager)
    services.delete_waiting_period_policy(policy=corrected, actor=manager)
    assert list(WaitingPeriodPolicy.objects.values_list("days", flat=True)) == [56]


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_refuses_30000_days_and_a_date_before_tomorrow_with_clear_messages(client, manager):
    client.force_login(manager)

    too_long = client.post(reverse(ADD), {"effective_from": TOMORROW.isoformat(), "days": 30_000, "note": ""})
    from_today = client.post(reverse(ADD), {"effective_from": TODAY.isoformat(), "days": 42, "note": ""})

    assertContains(too_long, "A waiting period is at most 56 days")
    assertContains(from_today, "takes effect from tomorrow (11 December 2026) or later")
    assert WaitingPeriodPolicy.objects.count() == 1


def test_the_admin_adds_through_the_service_and_corrects_only_to_tomorrow_or_later(client, manager):
    client.force_login(manager)

    added = client.post(reverse(ADD), {"effective_from": TOMORROW.isoformat(), "days": 42, "note": "6 weeks"})
    assert added.status_code == 302
    policy = WaitingPeriodPolicy.objects.get(effective_from=TOMORROW)

    refused = client.post(reverse(CHANGE, args=[policy.pk]), {"effective_from": TODAY.isoformat(), "days": 42})
    assertContains(refused, "takes effect from tomorrow")
    corrected = client.post(reverse(CHANGE, args=[policy.pk]), {"effective_from": "2027-01-04", "days": 35})
    assert corrected.status_code == 302
    policy.refresh_from_db()
    assert (policy.effective_from, policy.days) == (date(2027, 1, 4), 35)

    assert client.post(reverse(DELETE, args=[policy.pk]), {"post": "yes"}).status_code == 302
    assert not WaitingPeriodPolicy.objects.filter(pk=policy.pk).exists()


def test_a_policy_that_took_effect_can_no_longer_be_changed_or_deleted_in_the_admin(client, manager):
    policy = services.add_waiting_period_policy(effective_from=TOMORROW, days=42, actor=manager)
    client.force_login(manager)

    with time_machine.travel(uk(2026, 12, 11, 0, 1), tick=False):
        changed = client.post(reverse(CHANGE, args=[policy.pk]), {"effective_from": "2027-01-04", "days": 35})
        deleted = client.post(reverse(DELETE, args=[policy.pk]), {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (403, 403)
    policy.refresh_from_db()
    assert (policy.effective_from, policy.days) == (TOMORROW, 42)
