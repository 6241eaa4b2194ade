"""ADR workflows: deadlock and the letters, deadline warnings, referrals to the scheme and what
became of them, and waiting-period policies (one module each, all read as ``ombudsman.services``).

Each writes its timeline event in the same transaction as its change; anything that must
reach someone is a row first (a Letter, or an email in the outbox), delivered on commit.
"""

from ombudsman.services.letters import (
    DELIVER_LETTER_TASK,
    claim_adr_letters,
    create_adr_letter,
    create_claimed_adr_letters,
    declare_deadlock,
    email_staff,
    mark_letter_posted,
    preview_deadlock_letter,
    staff_to_warn,
    warn_deadline,
)
from ombudsman.services.policies import (
    add_waiting_period_policy,
    change_waiting_period_policy,
    check_waiting_period_policy,
    delete_waiting_period_policy,
)
from ombudsman.services.referrals import (
    DECISION_FIELDS,
    check_not_in_future,
    check_referral,
    correct_customer_acceptance,
    correct_decision,
    flag_compliance_overdue,
    latest_letter,
    record_case_reference,
    record_compliance,
    record_customer_acceptance,
    record_customer_rejection,
    record_decision,
    record_referral,
    record_scheme_acceptance,
    remind_compliance,
)

__all__ = [
    "DECISION_FIELDS", "DELIVER_LETTER_TASK", "add_waiting_period_policy", "change_waiting_period_policy",
    "check_not_in_future", "check_referral", "check_waiting_period_policy", "correct_customer_acceptance",
    "claim_adr_letters", "correct_decision", "create_adr_letter", "create_claimed_adr_letters",
    "declare_deadlock",
    "delete_waiting_period_policy", "email_staff",
    "flag_compliance_overdue", "latest_letter", "mark_letter_posted", "preview_deadlock_letter",
    "record_case_reference", "record_compliance",
    "record_customer_acceptance", "record_customer_rejection", "record_decision", "record_referral",
    "record_scheme_acceptance", "remind_compliance", "staff_to_warn", "warn_deadline",
]
