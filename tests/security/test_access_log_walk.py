"""Every staff URL that shows a complaint's data records one access, saying what was seen.

The walk takes its URLs and objects from the access matrix (tests/security/matrix.py). A URL
added to the matrix that a staff member can open is either listed here with the access it
records, or listed as showing no complaint's data, with why: a new page cannot be forgotten.
"""

import pytest

from complaints.models import AccessKind, ComplaintAccess, OutgoingEmail
from tests.security.matrix import AGENT, ANON, MANAGER, MATRIX, build_world, url_for

# What each staff page shows of a complaint, as it records it.
RECORDS = {
    "admin:complaints_complaint_change": AccessKind.COMPLAINT_PAGE,
    "admin:desk_attachment": AccessKind.ATTACHMENT,
    "admin:desk_print_pdf": AccessKind.LETTER_PDF,
    "admin:ombudsman_letter_change": AccessKind.LETTER,
    "admin:ombudsman_letter_pdf": AccessKind.LETTER_PDF,
    "admin:complaints_outgoingemail_change": AccessKind.EMAIL,
    # The customer's email read from the mailbox onto the complaint: its page and its original.
    "admin:mailin_inboundmessage_change": AccessKind.EMAIL_RECEIVED,
    "admin:mailin_original": AccessKind.EMAIL_RECEIVED,
    "admin:ombudsman_referral_change": AccessKind.REFERRAL,
    "admin:privacy_subjectaccessrequest_export": AccessKind.SUBJECT_ACCESS_EXPORT,
    "complaints:attachment": AccessKind.ATTACHMENT,
    "ombudsman:letter_pdf": AccessKind.LETTER_PDF,
}
NOT_COMPLAINT_DATA = {
    "admin:index": "the dashboard: counts and links",
    "admin:password_change": "the staff member's own password", "admin:password_change_done": "ditto",
    "admin:jsi18n": "the admin's translations", "admin:app_list": "links to the app's lists",
    "admin:complaints_complaint_changelist": "the list: tracking numbers, names and states; each complaint's "
                                             "data is read on its page",
    "admin:complaints_complaint_add": "the form to log a new complaint",
    "admin:complaints_complaint_history": "Django's change history, which no desk change writes",
    "admin:desk_print_queue": "the list of letters waiting to be printed; each PDF is logged",
    "admin:desk_merge": "the form asking for the duplicate's tracking number (the customer's name, as the list "
                        "shows it); the preview of a merge records both complaints",
    "admin:desk_savedreply_changelist": "the managers' saved replies", "admin:desk_savedreply_add": "ditto",
    "admin:complaints_complaintaccess_changelist": "the access log itself",
    "admin:complaints_complaintaccess_change": "the access log itself",
    "admin:complaints_complaintaccess_history": "the access log itself",
    "admin:complaints_outgoingemail_changelist": "the list of emails; each message is read (and logged) on its page",
    "admin:mailin_inboundmessage_changelist": "the list of emails received: senders, subjects and why they wait; "
                                              "each message is read (and logged, if it is a complaint's) on its page",
    "admin:complaints_rootcause_changelist": "the managers' list of root causes",
    "admin:ombudsman_letter_changelist": "the list of letters; each letter is read (and logged) on its page",
    "admin:ombudsman_referral_changelist": "the list of referrals; each is read (and logged) on its page",
    "admin:ombudsman_scheme_changelist": "the ADR schemes", "admin:ombudsman_scheme_change": "an ADR scheme",
    "admin:ombudsman_waitingperiodpolicy_changelist": "the waiting-period policies",
    "admin:ombudsman_sweeprun_changelist": "the sweep's runs: counts and errors",
    "admin:ombudsman_sweepfailure_changelist": "the sweep's failures: steps and errors",
    "admin:privacy_subjectaccessrequest_changelist": "the list of requests",
    "admin:privacy_subjectaccessrequest_change": "the request: the customer's contact details, no complaint; "
                                                 "its export is logged when downloaded",
    "admin:privacy_subjectaccessrequest_add": "the form to record a request",
    "admin:privacy_erasure_changelist": "what was erased: counts only",
    "admin:privacy_accountclosure_changelist": "closed accounts: names, no complaint data",
    "admin:view_on_site": "a redirect to the complaint's page",
    "admin:complaints_rootcause_add": "the form to add a root cause",
    "accounts:password_change": "the staff member's own password", "accounts:password_change_done": "ditto",
    "accounts:two_factor_recovery_codes": "the staff member's own recovery codes",
    "reports:index": "figures counted over many complaints: no one complaint's data",
    "reports:download": "the same figures as CSV",
    "admin:ombudsman_referral_fact": "a form for one fact; the referral's page is logged",
}


def staff_pages():
    """The matrix's URLs that staff may open with a GET (200) and the public may not."""
    return sorted(key for key, expected in MATRIX.items()
                  if expected[ANON] != 200 and 200 in (expected[AGENT], expected[MANAGER]))


def test_every_page_staff_open_is_listed_as_recording_or_as_showing_no_complaint_data():
    unlisted = [key for key in staff_pages() if key not in RECORDS and key not in NOT_COMPLAINT_DATA]
    assert unlisted == [], "Say what each new staff page records, or why it shows no complaint's data"


@pytest.mark.django_db
def test_each_staff_page_showing_a_complaint_records_one_access(customer, other_customer, agent, manager):
    world = build_world(customer, other_customer, agent, manager)
    # The email in the world is about another customer's complaint.
    email_complaint = OutgoingEmail.objects.get(pk=world["objects"]["complaints_outgoingemail"]).complaint_id
    for key, kind in RECORDS.items():
        persona = MANAGER if MATRIX[key][AGENT] != 200 else AGENT
        before = ComplaintAccess.objects.count()

        response = world["clients"][persona].get(url_for(key, world))

        assert response.status_code == 200, key
        if response.streaming:
            b"".join(response.streaming_content)
        new = list(ComplaintAccess.objects.order_by("pk")[before:].values_list("kind", "complaint_id"))
        seen = email_complaint if key == "admin:complaints_outgoingemail_change" else world["complaint"].pk
        assert new == [(kind, seen)], key


@pytest.mark.django_db
def test_pages_without_complaint_data_record_nothing(customer, other_customer, agent, manager):
    world = build_world(customer, other_customer, agent, manager)
    before = ComplaintAccess.objects.count()
    for key in NOT_COMPLAINT_DATA:
        if key in MATRIX and MATRIX[key][MANAGER] == 200:
            world["clients"][MANAGER].get(url_for(key, world))
    assert ComplaintAccess.objects.count() == before
