"""Waiting-period policies: 1 to 56 days, from tomorrow on, correctable until they take effect.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.roles import is_manager
from clock import uk_today
from ombudsman import letters
from ombudsman.models import WaitingPeriodPolicy


def check_waiting_period_policy(*, effective_from, policy=None):
    """Refuse a policy's date the rules do not allow (raises ValidationError).

    A policy takes effect from tomorrow (UK) or later: a day that has begun has fixed the
    clocks of the complaints received on it. One already in force stays as it was.
    ``policy`` is the stored policy being corrected, if any.
    """
    tomorrow = uk_today() + timedelta(days=1)
    if policy is not None and policy.effective_from < tomorrow:
        raise ValidationError(
            f"This policy has been in force since {letters.uk_date(policy.effective_from)}: it fixed the clocks of "
            "complaints received under it, so it stays as it is. Add a new policy instead."
        )
    if effective_from is not None and effective_from < tomorrow:
        raise ValidationError({"effective_from": (
            f"A waiting period takes effect from tomorrow ({letters.uk_date(tomorrow)}) or later: complaints "
            "received until then keep the period in force when they were received."
        )})


def _may_set_policies(actor):
    if not is_manager(actor):
        raise PermissionDenied("Only a complaint manager can set the waiting period.")


def _save_policy(policy):
    policy.note = policy.note.strip()
    policy.full_clean()  # 1 to 56 days (the database's constraint too) and one policy a day
    policy.save()
    return policy


@transaction.atomic
def add_waiting_period_policy(*, effective_from, days, note="", actor):
    """Add a waiting period for complaints received from ``effective_from`` (tomorrow or later)."""
    _may_set_policies(actor)
    check_waiting_period_policy(effective_from=effective_from)
    return _save_policy(WaitingPeriodPolicy(effective_from=effective_from, days=days, note=note))


@transaction.atomic
def change_waiting_period_policy(*, policy, effective_from, days, note="", actor):
    """Correct a policy not yet in force; its new date must still be tomorrow or later."""
    _may_set_policies(actor)
    stored = WaitingPeriodPolicy.objects.select_for_update().get(pk=policy.pk)
    check_waiting_period_policy(effective_from=effective_from, policy=stored)
    stored.effective_from, stored.days, stored.note = effective_from, days, note
    return _save_policy(stored)


@transaction.atomic
def delete_waiting_period_policy(*, policy, actor):
    """Delete a policy not yet in force."""
    _may_set_policies(actor)
    stored = WaitingPeriodPolicy.objects.select_for_update().get(pk=policy.pk)
    check_waiting_period_policy(effective_from=None, policy=stored)
    stored.delete()
