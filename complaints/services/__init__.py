"""Complaint workflows, read as ``complaints.services``: filing, status, messages and assignment
(filing), resolutions and their outcomes (outcomes), correcting the date received
(received_date), and merging duplicates (merging). Each writes its timeline event in the same
transaction as its change."""

from complaints.services.filing import (
    TransitionNotAllowed,
    acknowledgement,
    add_customer_message,
    add_internal_note,
    add_staff_message,
    assign_complaint,
    change_status,
    describe_move,
    file_complaint,
    last_update,
    mark_customer_answered,
    mark_letter_posted,
    record_answer_elsewhere,
    record_customer_action,
    request_information,
    withdraw_complaint,
)
from complaints.services.merging import check_merge, merge_complaints, preview_merge, survivor_of
from complaints.services.outcomes import (
    accept_resolution,
    check_outcome,
    current_proposal,
    may_request_deadlock_letter,
    preview_final_answer,
    propose_resolution,
    reject_resolution,
    reopen_complaint,
    request_deadlock_letter,
    resolve_complaint,
)
from complaints.services.received_date import change_received_date

__all__ = [
    "TransitionNotAllowed", "accept_resolution", "acknowledgement", "add_customer_message", "add_internal_note",
    "add_staff_message", "assign_complaint", "change_received_date", "change_status", "check_merge", "check_outcome",
    "current_proposal", "describe_move", "file_complaint", "last_update", "mark_customer_answered",
    "mark_letter_posted", "may_request_deadlock_letter", "merge_complaints", "preview_final_answer", "preview_merge",
    "propose_resolution",
    "record_answer_elsewhere", "record_customer_action", "reject_resolution", "reopen_complaint",
    "request_deadlock_letter", "request_information", "resolve_complaint", "survivor_of", "withdraw_complaint",
]
