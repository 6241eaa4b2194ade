from .access import AccessKind, ComplaintAccess
from .complaint import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    Category,
    Channel,
    Complaint,
    Product,
    RootCause,
    Status,
    Upheld,
)
from .outbox import EmailKind, EmailStatus, OutgoingEmail
from .postal import PostalKind, PostalLetter, PostStatus
from .timeline import BOOKKEEPING_KINDS, AppendOnlyError, Attachment, Event, EventKind

__all__ = [
    "ALLOWED_TRANSITIONS", "AccessKind", "BOOKKEEPING_KINDS", "ComplaintAccess", "CLOSED_STATUSES",
    "AppendOnlyError", "Attachment",
    "Category", "Channel", "Complaint", "EmailKind", "EmailStatus", "Event", "EventKind",
    "OutgoingEmail", "PostalKind", "PostalLetter", "PostStatus", "Product", "RootCause", "Status", "Upheld",
]
