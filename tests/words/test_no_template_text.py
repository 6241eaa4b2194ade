"""No template text ever reaches a reader: every page, email and letter, rendered for real.

Templates render with a marker for every variable they cannot find (``strict_templates``).
The tests walk every URL of the access matrix (tests/security/matrix.py) as every persona,
and the customer's own pages with a complaint in each state; they make every email and every
letter through the services that send them, and read each as its reader would (the text, the
HTML's words, the PDF through pdftotext). Any template syntax ({# #}, {% %}, {{ }}) or missing
variable fails them.

They also fail when an email or letter template exists that none of these flows renders, so
a new one cannot slip past: add the flow that sends it here.
"""

import io
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from accounts.models import PreferredContact, PreferredFormat
from complaints import printing, services
from complaints.models import OutgoingEmail, PostalLetter, Upheld
from complaints_portal import code_of_practice
from mailin import services as mailin_services
from mailin.models import InboundMessage, MailStatus
from ombudsman import services as adr_services
from ombudsman import sweep
from ombudsman.models import Letter
from privacy import export
from privacy import services as privacy_services
from reports.services import send_weekly_digest
from tests.conftest import PASSWORD, file_complaint, make_customer
from tests.security.matrix import MATRIX, OWNER, PERSONAS, url_for
from tests.words.reading import leftovers, pdf_text, readable, words

TEMPLATES = settings.BASE_DIR / "templates"
# The customer's pages about one complaint, opened for each state a complaint can be in.
COMPLAINT_PAGES = ("complaints:detail", "complaints:filed", "complaints:withdraw", "ombudsman:refer")


@pytest.fixture
def rendered():
    """Collect the name of every template rendered while the test runs."""
    names = set()

    def collect(sender, template, **kwargs):
        names.add(template.name)

    template_rendered.connect(collect)
    yield names
    template_rendered.disconnect(collect)


def templates_in(*patterns):
    return {str(path.relative_to(TEMPLATES)) for pattern in patterns for path in TEMPLATES.glob(pattern)}


def check_response(response, where, problems):
    if not response.get("Content-Type", "").startswith("text/"):
        return
    text = response.content.decode()
    text = readable(text) if response["Content-Type"].startswith("text/html") else words(text)
    problems.extend(f"{where}: …{found}…" for found in leftovers(text))


def test_no_page_shows_template_text(strict_templates, world, states):
    problems = []
    for key in MATRIX:
        url = url_for(key, world)
        for persona in PERSONAS:
            check_response(world["clients"][persona].get(url), f"{url} ({key}) as {persona}", problems)
    owner, customer = world["clients"][OWNER], world["customer"]
    for state, complaint in states.items():
        for key in COMPLAINT_PAGES:
            url = url_for(key, {**world, "complaint": complaint})
            check_response(owner.get(url), f"{url} ({key}), a complaint {state}", problems)
        cache.clear()  # the track form's rate limit
        tracked = Client().post(reverse("complaints:track"),
                                {"tracking_number": complaint.tracking_number, "email": customer.email})
        assert complaint.tracking_number in tracked.content.decode()
        check_response(tracked, f"the track page for a complaint {state}", problems)

    assert not problems, "Template text reaches readers:\n" + "\n".join(problems)


def test_no_template_has_a_comment_over_several_lines():
    """Django's {# #} comment ends on its line; one that goes on is shown to readers ({% comment %} spans lines)."""
    unclosed = [f"{path.relative_to(TEMPLATES)}:{number}"
                for path in TEMPLATES.rglob("*") if path.is_file()
                for number, line in enumerate(path.read_text().splitlines(), start=1)
                if "{#" in line and "#}" not in line.split("{#", 1)[1]]
    assert unclosed == []


def test_the_walk_fails_on_a_comment_django_shows(strict_templates, settings, tmp_path, world):
    """A {# #} comment over two lines is not a comment to Django: the walk must catch it."""
    override = tmp_path / "pages"
    override.mkdir()
    original = (TEMPLATES / "pages" / "contact.html").read_text()
    (override / "contact.html").write_text(original.replace(
        "{% block content %}", "{% block content %}{# One comment\n   over two lines. #}", 1))
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    problems = []
    check_response(Client().get(reverse("contact")), "contact", problems)
    assert problems and "One comment" in problems[0]


def send_every_email_and_letter(world, agent, manager, client):
    """Make every email and letter the portal sends, through the services and pages that send them.

    The world's customer gets post (and large print here); the others email.
    """
    customer = world["customer"]
    customer.support_consent_at = timezone.now()
    customer.preferred_format = PreferredFormat.LARGE_PRINT
    customer.save()
    # By post: the acknowledgement, a message, the final answer and a new ADR date, as letters.
    posted = file_complaint(customer, received_at=timezone.now() - timedelta(days=20))
    posted.assigned_to = agent
    posted.save()
    services.add_staff_message(complaint=posted, agent=agent, body="We are looking into it.")
    services.change_received_date(complaint=posted, received_at=timezone.now() - timedelta(days=30),
                                  reason="The customer first phoned earlier.", actor=agent)
    services.resolve_complaint(complaint=posted, agent=agent, summary="We fixed the fault.", upheld=Upheld.UPHELD,
                               apology=True, refund_amount=10)
    # By email: the same as emails, the staff's emails, and the letters' emails.
    emailed_customer = make_customer("erin.email@example.com", "Erin Email", preferred_contact=PreferredContact.EMAIL)
    emailed = file_complaint(emailed_customer, received_at=timezone.now() - timedelta(days=50))
    services.assign_complaint(complaint=emailed, agent=agent, actor=manager)
    services.add_staff_message(complaint=emailed, agent=agent, body="Could you send the bill?")
    services.request_deadlock_letter(complaint=emailed, customer=emailed_customer, reason="No progress.")
    services.change_received_date(complaint=emailed, received_at=timezone.now() - timedelta(days=52),
                                  reason="The customer first wrote earlier.", actor=agent)
    adr_services.warn_deadline(complaint=emailed)
    services.propose_resolution(complaint=emailed, agent=agent, proposal="A refund of £10.", upheld=Upheld.UPHELD,
                                refund_amount=10)
    services.reject_resolution(complaint=emailed, customer=emailed_customer, reason="Not enough.")
    services.resolve_complaint(complaint=emailed, agent=agent, summary="We found no fault.",
                               upheld=Upheld.NOT_UPHELD, credit_amount=5)
    # The ADR letter, written by the sweep, and a deadlock letter, both emailed.
    due = file_complaint(emailed_customer, received_at=timezone.now() - timedelta(days=60))
    sweep.run()
    assert due.letters.exists()
    deadlocked = file_complaint(emailed_customer)
    adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="We cannot offer more.")
    # A referral whose decision the customer accepted: staff are reminded to comply.
    referral = adr_services.record_referral(complaint=deadlocked, actor=emailed_customer,
                                            referred_on=timezone.localdate())
    adr_services.record_decision(referral=referral, actor=agent, decision="upheld", decided_on=timezone.localdate(),
                                 apology=True, award_amount=50)
    adr_services.record_customer_acceptance(referral=referral, actor=agent, accepted_on=timezone.localdate())
    adr_services.remind_compliance(referral=referral)
    # Two complaints about one matter, merged: the customer told by post, and by email.
    for owner in (customer, emailed_customer):
        services.merge_complaints(survivor=file_complaint(owner), duplicate=file_complaint(owner), actor=agent)
    # An emailed complaint an agent makes from the mail to review, for a new customer invited to claim it.
    raw = b"From: Nell New <nell.new@example.com>\r\nSubject: My line\r\n\r\nMy line is down.\r\n"
    inbound = InboundMessage.objects.create(
        mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=99, arrived_at=timezone.now(), size=len(raw),
        raw=ContentFile(raw, name="message.eml"), from_address="nell.new@example.com", status=MailStatus.REVIEW)
    mailin_services.make_complaint(message=inbound, actor=agent, full_name="Nell New")
    # The Code of Practice, the managers' digest, closing an account.
    code_of_practice.email_copy(to="reader@example.com")
    send_weekly_digest()
    closing = make_customer("cal.closing@example.com", "Cal Closing")
    file_complaint(closing)
    privacy_services.close_account(customer=closing)
    # Accounts: sign up afresh, sign up with an address we hold, claim a record staff made,
    # and reset a password.
    signup = {"password1": PASSWORD, "password2": PASSWORD, "full_name": "Sam New", "customer_type": "domestic",
              "preferred_contact": "email", "preferred_format": "standard"}
    for email in ("sam.new@example.com", emailed_customer.email):
        cache.clear()
        assert client.post(reverse("accounts:signup"), {**signup, "email": email}).status_code == 302
    logged = make_customer("lou.logged@example.com", "Lou Logged")
    logged.set_unusable_password()
    logged.save()
    cache.clear()
    client.post(reverse("accounts:signup"), {**signup, "email": logged.email})
    cache.clear()
    client.post(reverse("accounts:password_reset"), {"email": emailed_customer.email})
    # An anonymised complaint's letters are replaced by the erasure letter.
    old = file_complaint(customer)
    adr_services.declare_deadlock(complaint=old, actor=agent, reason="Our final position.")
    services.resolve_complaint(complaint=old, agent=agent, summary="Closed.", upheld=Upheld.NOT_UPHELD)
    privacy_services.anonymise_complaint(complaint=old, now=timezone.now() + timedelta(days=8 * 366))


def test_no_email_or_letter_shows_template_text(strict_templates, rendered, world, agent, manager, client,
                                                 django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_every_email_and_letter(world, agent, manager, client)
    problems = []
    for email in OutgoingEmail.objects.all():
        where = f"email “{email.subject}” to {email.to}"
        problems += [f"{where}, subject: …{found}…" for found in leftovers(email.subject)]
        problems += [f"{where}, text: …{found}…" for found in leftovers(words(email.text_body))]
        problems += [f"{where}, HTML: …{found}…" for found in leftovers(readable(email.html_body))]
    for message in mail.outbox:
        where = f"email sent “{message.subject}” to {message.to}"
        problems += [f"{where}: …{found}…" for found in leftovers(words(f"{message.subject} {message.body}"))]
        for html, _type in getattr(message, "alternatives", []):
            problems += [f"{where}, HTML: …{found}…" for found in leftovers(readable(html))]
    for letter in [*Letter.objects.all(), *PostalLetter.objects.all()]:
        where = f"{letter} ({type(letter).__name__})"
        if isinstance(letter, Letter):
            problems += [f"{where}, text: …{found}…" for found in leftovers(words(letter.text))]
        problems += [f"{where}, HTML: …{found}…" for found in leftovers(readable(letter.html))]
        problems += [f"{where}, PDF: …{found}…" for found in leftovers(pdf_text(printing.ensure_pdf(letter)))]
    assert not problems, "Template text reaches readers:\n" + "\n".join(problems)

    sent_by_no_flow = templates_in("*/email/*", "ombudsman/letters/*", "complaints/letters/*",
                                   "privacy/erased_letter.*") - rendered
    assert not sent_by_no_flow, "Add a flow that sends these to send_every_email_and_letter"


def test_the_data_download_shows_no_template_text(strict_templates, world, states):
    archive = io.BytesIO()
    export.write_archive(world["customer"], archive)
    with zipfile.ZipFile(archive) as opened:
        document = opened.read(export.DOCUMENT).decode()
        readme = opened.read("README.txt").decode()
    problems = [f"{export.DOCUMENT}: …{found}…" for found in leftovers(readable(document))]
    problems += [f"README.txt: …{found}…" for found in leftovers(words(readme))]
    assert not problems, "Template text reaches readers:\n" + "\n".join(problems)
