"""The access matrix: who gets what from every URL, and the real objects to ask it with.

Each row is a URL, keyed by its name (or by its route for the admin's unnamed patterns); each
column a persona: anonymous, the complaint's customer (the owner), another customer, an agent,
a manager. Each cell is the status a GET gets: 200, 403, 404, 405 (a POST-only view), or a 302
to the page named (the portal's or the admin's login, or somewhere else).
"""

import re
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PreferredContact
from complaints.models import AccessKind, Complaint, ComplaintAccess
from mailin.models import InboundMessage, MailStatus
from ombudsman import services as adr_services
from ombudsman.models import Scheme
from privacy import services as privacy_services
from privacy.models import SubjectAccessRequest
from tests.conftest import file_complaint

ANON, OWNER, OTHER, AGENT, MANAGER = "anonymous", "owner", "other customer", "agent", "manager"
PERSONAS = (ANON, OWNER, OTHER, AGENT, MANAGER)
# A 302 to one of these pages (a URL name) rather than a status.
LOGIN, ADMIN_LOGIN, ADMIN_INDEX = "accounts:login", "admin:login", "admin:index"


def row(anonymous, owner, other, agent, manager):
    return dict(zip(PERSONAS, (anonymous, owner, other, agent, manager), strict=True))


def everyone(expected):
    return row(*[expected] * len(PERSONAS))


CUSTOMER_ONLY = row(LOGIN, 200, 200, ADMIN_INDEX, ADMIN_INDEX)
# Staff read a complaint on its page in the admin, where they work (and which records it).
OWNER_STAFF_TO_DESK = row(LOGIN, 200, 404, "admin:complaints_complaint_change", "admin:complaints_complaint_change")
POST_ONLY = everyone(405)
STAFF_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200)
STAFF_POST_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 405, 405)
MANAGERS_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 200)
NOBODY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403)

# Keyed by URL name, or by route for the admin's unnamed patterns.
MATRIX = {
    # Public pages.
    "home": everyone(200),
    "code_of_practice": everyone(200),
    "contact": everyone(200),
    "ombudsman:healthz": everyone(503),  # no sweep has run in the test database
    "complaints:track": everyone(200),
    # Accounts.
    "accounts:login": row(200, "complaints:mine", "complaints:mine", ADMIN_INDEX, ADMIN_INDEX),
    "accounts:logout": POST_ONLY,
    "accounts:signup": row(200, "complaints:mine", "complaints:mine", "complaints:mine", "complaints:mine"),
    "accounts:claim_sent": everyone(200),
    # Confirming a sign-up's address: the link (here one that does not work) and a new one.
    "accounts:confirm_sign_up": row(200, "complaints:mine", "complaints:mine", "complaints:mine", "complaints:mine"),
    "accounts:resend_confirmation": row(200, "complaints:mine", "complaints:mine", "complaints:mine",
                                        "complaints:mine"),
    "accounts:profile": CUSTOMER_ONLY,
    "accounts:password_change": row(LOGIN, 200, 200, 200, 200),
    "accounts:password_change_done": row(LOGIN, 200, 200, 200, 200),
    "accounts:password_reset": everyone(200),
    "accounts:password_reset_done": everyone(200),
    "accounts:password_reset_confirm": everyone("accounts:password_reset_confirm"),
    "accounts:password_reset_complete": everyone(200),
    # Staff's second factor: customers have none, so the pages do not exist for them. Staff here
    # are logged in with force_login, which counts as verified: the code page sends them on.
    "accounts:two_factor": row(LOGIN, 404, 404, ADMIN_INDEX, ADMIN_INDEX),
    "accounts:two_factor_setup": row(LOGIN, 404, 404, "accounts:two_factor", "accounts:two_factor"),
    "accounts:two_factor_recovery": row(LOGIN, 404, 404, ADMIN_INDEX, ADMIN_INDEX),
    "accounts:two_factor_recovery_codes": row(LOGIN, 404, 404, 200, 200),
    # The customer's complaints: another customer's are a 404, staff read but do not act.
    "complaints:mine": CUSTOMER_ONLY,
    "complaints:new": CUSTOMER_ONLY,
    "complaints:detail": OWNER_STAFF_TO_DESK,
    "complaints:filed": OWNER_STAFF_TO_DESK,
    # Staff get the file or the letter itself, and the access is recorded.
    "complaints:attachment": row(LOGIN, 200, 404, 200, 200),
    "complaints:withdraw": row(LOGIN, 200, 404, 403, 403),
    "complaints:reply": POST_ONLY,
    "complaints:accept_resolution": POST_ONLY,
    "complaints:reject_resolution": POST_ONLY,
    "complaints:request_deadlock_letter": POST_ONLY,
    "ombudsman:refer": OWNER_STAFF_TO_DESK,
    # Staff open letters through the desk's route, which logs who did.
    "ombudsman:letter_pdf": row(LOGIN, 200, 404, 200, 200),
    # Reports: managers only.
    "reports:index": row(LOGIN, 403, 403, 403, 200),
    "reports:download": row(LOGIN, 403, 403, 403, 200),
    # Privacy: the customer's own data; staff go to the admin's subject access requests.
    "privacy:my_data": row(LOGIN, 200, 200, "admin:privacy_subjectaccessrequest_changelist",
                           "admin:privacy_subjectaccessrequest_changelist"),
    "privacy:close_account": CUSTOMER_ONLY,
    "privacy:account_closed": everyone(200),
    # The admin site's own pages.
    "admin:index": STAFF_ONLY,
    "admin:login": row(200, 200, 200, ADMIN_INDEX, ADMIN_INDEX),
    "admin:logout": row(ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, 405, 405),
    "admin:password_change": STAFF_ONLY,
    "admin:password_change_done": STAFF_ONLY,
    "admin:jsi18n": STAFF_ONLY,
    "admin:autocomplete": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403),  # no field asked for
    "admin:app_list": STAFF_ONLY,
    "admin:view_on_site": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, "complaints:detail", "complaints:detail"),
    "admin/(?P<url>.*)$": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 404),
    # The complaints desk.
    "admin:complaints_complaint_changelist": STAFF_ONLY,
    "admin:complaints_complaint_add": STAFF_ONLY,
    "admin:complaints_complaint_change": STAFF_ONLY,
    "admin:complaints_complaint_delete": NOBODY,
    "admin:complaints_complaint_history": STAFF_ONLY,
    "admin:desk_act": STAFF_POST_ONLY,
    "admin:desk_attachment": STAFF_ONLY,
    # Merging a duplicate: the form (the preview is a GET too; the merge a POST).
    "admin:desk_merge": STAFF_ONLY,
    "admin:desk_print_queue": STAFF_ONLY,
    "admin:desk_print_pdf": STAFF_ONLY,
    "admin:desk_print_posted": STAFF_POST_ONLY,
    # Print all waiting: the page first fixes the letters waiting in its address (a postal letter
    # waits here); the joined PDF with no letters named goes back to it.
    "admin:desk_print_all": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, "admin:desk_print_all", "admin:desk_print_all"),
    "admin:desk_print_all_pdf": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, "admin:desk_print_all",
                                    "admin:desk_print_all"),
    "admin:desk_print_all_posted": STAFF_POST_ONLY,
    "admin:complaints_complaintaccess_changelist": MANAGERS_ONLY,
    "admin:complaints_complaintaccess_change": MANAGERS_ONLY,
    "admin:complaints_complaintaccess_add": NOBODY,
    "admin:complaints_complaintaccess_delete": NOBODY,
    "admin:complaints_complaintaccess_history": MANAGERS_ONLY,
    # Emails received (mail to review): agents and managers read them; a message's actions are POSTs.
    "admin:mailin_inboundmessage_changelist": STAFF_ONLY,
    "admin:mailin_inboundmessage_change": STAFF_ONLY,
    "admin:mailin_original": STAFF_ONLY,
    "admin:mailin_act": STAFF_POST_ONLY,
    # A representative set of the other models' pages.
    "admin:complaints_outgoingemail_changelist": STAFF_ONLY,
    "admin:complaints_outgoingemail_change": STAFF_ONLY,
    "admin:complaints_rootcause_changelist": STAFF_ONLY,
    "admin:complaints_rootcause_add": MANAGERS_ONLY,
    "admin:desk_savedreply_changelist": STAFF_ONLY,
    "admin:desk_savedreply_add": MANAGERS_ONLY,
    "admin:accounts_user_changelist": NOBODY,
    "admin:accounts_user_change": NOBODY,
    "admin:auth_group_changelist": NOBODY,
    "admin:ombudsman_letter_changelist": STAFF_ONLY,
    "admin:ombudsman_letter_change": STAFF_ONLY,
    "admin:ombudsman_letter_pdf": STAFF_ONLY,
    "admin:ombudsman_letter_delete": NOBODY,
    "admin:ombudsman_referral_changelist": STAFF_ONLY,
    "admin:ombudsman_referral_change": STAFF_ONLY,
    # A manager's correction of a recorded fact; this referral has no decision yet to correct.
    "admin:ombudsman_referral_fact": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403,
                                         "admin:ombudsman_referral_change"),
    "admin:ombudsman_scheme_changelist": STAFF_ONLY,
    "admin:ombudsman_scheme_change": STAFF_ONLY,
    "admin:ombudsman_waitingperiodpolicy_changelist": STAFF_ONLY,
    "admin:ombudsman_sweeprun_changelist": STAFF_ONLY,
    "admin:ombudsman_sweepfailure_changelist": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_changelist": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_change": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_add": STAFF_ONLY,
    "admin:privacy_subjectaccessrequest_export": STAFF_ONLY,
    "admin:privacy_erasure_changelist": STAFF_ONLY,
    "admin:privacy_accountclosure_changelist": STAFF_ONLY,
}

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def walk(patterns, prefix="", namespace=""):
    """Yield (key, route) for every URL pattern: its name with namespace, or else its route."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def all_urls():
    return dict(walk(get_resolver().url_patterns))


def url_for(key, world):
    """Reverse a URL with real objects' values for its arguments."""
    complaint = world["complaint"]
    if key == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    by_key = {
        "complaints:attachment": {"tracking_number": complaint.tracking_number, "pk": world["attachment"].pk},
        "ombudsman:letter_pdf": {"tracking_number": complaint.tracking_number, "letter_id": world["letter"].pk},
        "accounts:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(world["customer"].pk)),
            "token": default_token_generator.make_token(world["customer"]),
        },
        "accounts:confirm_sign_up": {"token": "no-such-token"},
        "reports:download": {"table": "headline"},
        "admin:app_list": {"app_label": "complaints"},
        "admin:view_on_site": {"content_type_id": ContentType.objects.get_for_model(Complaint).pk,
                               "object_id": complaint.pk},
        "admin:desk_act": {"pk": complaint.pk, "action": "note"},
        "admin:desk_attachment": {"pk": complaint.pk, "attachment_id": world["attachment"].pk},
        "admin:desk_merge": {"pk": complaint.pk},
        "admin:desk_print_pdf": {"source": "letter", "pk": world["letter"].pk},
        "admin:ombudsman_letter_pdf": {"pk": world["letter"].pk},
        "admin:desk_print_posted": {"source": "postal", "pk": world["postal"].pk},
        "admin:privacy_subjectaccessrequest_export": {"pk": world["sar"].pk},
        "admin:ombudsman_referral_fact": {"object_id": world["objects"]["ombudsman_referral"],
                                          "fact": "correct-decision"},
        "admin:mailin_original": {"pk": world["objects"]["mailin_inboundmessage"]},
        "admin:mailin_act": {"pk": world["objects"]["mailin_inboundmessage"], "action": "dismiss"},
    }
    if key in by_key:
        return reverse(key, kwargs=by_key[key])
    if "<str:tracking_number>" in all_urls()[key]:
        return reverse(key, kwargs={"tracking_number": complaint.tracking_number})
    match = re.fullmatch(r"admin:(\w+?_\w+?)_(change|delete|history)", key)
    if match:
        return reverse(key, args=[world["objects"][match.group(1)]])
    return reverse(key)


def build_world(customer, other_customer, agent, manager):
    """Return real objects to fill every URL's arguments, and a logged-in client for each persona."""
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    upload = SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")
    complaint = file_complaint(customer, received_at=timezone.now() - timedelta(days=60), attachments=[upload])
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    referral = adr_services.record_referral(complaint=complaint, actor=customer, referred_on=timezone.localdate(),
                                            case_reference="OS-1")
    sar = privacy_services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, channel="email", received_at=timezone.now()), actor=manager)
    privacy_services.generate_subject_access_export(sar=sar, actor=manager)
    # The customer has letters posted; another's complaint brings an email.
    email = file_complaint(other_customer).emails.get()
    access = ComplaintAccess.objects.create(staff=agent, complaint=complaint, kind=AccessKind.COMPLAINT_PAGE)
    # The customer's email reply, read from the mailbox onto the complaint.
    reply = b"From: <%s>\r\nSubject: Re: my complaint\r\n\r\nThank you.\r\n" % customer.email.encode()
    inbound = InboundMessage.objects.create(
        mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=1, arrived_at=timezone.now(), size=len(reply),
        raw=ContentFile(reply, name="message.eml"), from_address=customer.email, subject="Re: my complaint",
        status=MailStatus.REPLY, complaint=complaint, handled_at=timezone.now(),
    )
    clients = {ANON: Client()}
    for persona, user in ((OWNER, customer), (OTHER, other_customer), (AGENT, agent), (MANAGER, manager)):
        clients[persona] = Client()
        clients[persona].force_login(user)
    objects = {
        "complaints_complaint": complaint.pk, "complaints_outgoingemail": email.pk,
        "accounts_user": customer.pk, "ombudsman_letter": letter.pk, "ombudsman_referral": referral.pk,
        "ombudsman_scheme": Scheme.objects.provider_scheme().pk, "privacy_subjectaccessrequest": sar.pk,
        "complaints_complaintaccess": access.pk, "mailin_inboundmessage": inbound.pk,
    }
    return {"complaint": complaint, "attachment": complaint.attachments.get(), "letter": letter,
            "postal": complaint.postal_letters.first(), "sar": sar, "objects": objects, "clients": clients,
            "customer": customer}
