"""Who may do what on the complaints desk: the one place that says so.

Each action needs a Django permission, granted to the staff groups by this app's
migrations (superusers have them all). Taking a complaint from another agent also needs
``complaints.reassign_complaint``, which only managers have.
"""

ACTION_PERMISSIONS = {
    "assign": "complaints.change_complaint",
    "acknowledge": "complaints.change_complaint",
    "reply": "complaints.change_complaint",
    "note": "complaints.change_complaint",
    "answered": "complaints.change_complaint",
    "request_information": "complaints.change_complaint",
    "propose": "complaints.change_complaint",
    "resolve": "complaints.change_complaint",
    "deadlock": "complaints.change_complaint",
    "reopen": "complaints.change_complaint",
    "change_received_date": "complaints.change_complaint",
    "merge": "complaints.change_complaint",
    "record_referral": "ombudsman.add_referral",
    "record_decision": "ombudsman.change_referral",
    "log": "complaints.add_complaint",
    "export": "complaints.view_complaint",
    "download_attachment": "complaints.view_attachment",
}
REASSIGN = "complaints.reassign_complaint"
# The print queue: ADR and deadlock letters, and the complaints app's letters by post.
PRINT_QUEUE_VIEW = ("ombudsman.view_letter", "complaints.view_postalletter")
PRINT_QUEUE_POST = {"letter": "ombudsman.change_letter", "postal": "complaints.change_postalletter"}


def can(user, action):
    """Say whether a staff member may take an action on complaints."""
    return user.is_active and user.is_staff and user.has_perm(ACTION_PERMISSIONS[action])


def may_assign(user, complaint):
    """Say whether a staff member may (re)assign this complaint.

    Agents assign complaints nobody holds, or that they hold; taking one from a colleague
    is a manager's call.
    """
    if not can(user, "assign"):
        return False
    holder = complaint.assigned_to_id
    return holder is None or holder == user.pk or user.has_perm(REASSIGN)


def can_use_print_queue(user):
    return user.is_active and user.is_staff and all(user.has_perm(perm) for perm in PRINT_QUEUE_VIEW)
