"""Every customer page, in each state a customer meets it, passes axe-core.

Each page is opened in headless Chromium with data built through the real services;
the vendored axe-core is injected and run. A serious or critical violation fails the
page's test; minor and moderate ones are printed (run with ``-s`` to see them).
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import confirmation_token
from complaints import services
from complaints.models import Upheld
from ombudsman.services import create_adr_letter
from tests.browser.a11y import TIMEOUT_MS, blocking, describe, log_in, run_axe
from tests.conftest import PASSWORD, file_complaint

# live_server serves from another thread, so the data must really be committed; see
# test_customer_journey.py for why serialized_rollback is needed too.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script the page's own Content-Security-Policy would refuse.
    return {**browser_context_args, "bypass_csp": True}


class Visit:
    """Open pages as a customer would, failing loudly if a page does not load."""

    def __init__(self, page, live_server, *, customer, agent):
        self.page, self.live_server = page, live_server
        self.customer, self.agent = customer, agent

    def go(self, path, *, as_user=None):
        if as_user is not None:
            log_in(self.page, self.live_server, as_user)
        response = self.page.goto(self.live_server.url + path)
        assert response.ok, f"{path} answered {response.status}"

    def submit(self, button):
        """Press a form's button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator("main").get_by_role("button", name=button).click()

    def submit_with_errors(self, button):
        """Press a form's button and check the form came back with its errors marked."""
        self.submit(button)
        expect(self.page.locator("main").locator(".invalid-feedback, #error-summary").first).to_be_visible()

    def fill(self, label, value):
        # crispy-forms marks a required field's label with an asterisk.
        self.page.locator("main").get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$")).fill(value)


def pdf_upload(name="bill.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def detail(complaint):
    return reverse("complaints:detail", args=[complaint.tracking_number])


# --- public pages -------------------------------------------------------------------------

def home(visit):
    visit.go(reverse("home"))


def code_of_practice(visit):
    visit.go(reverse("code_of_practice"))


def code_of_practice_email_with_errors(visit):
    visit.go(reverse("code_of_practice"))
    visit.submit_with_errors("Email me a copy")


def contact(visit):
    visit.go(reverse("contact"))


def track(visit):
    visit.go(reverse("complaints:track"))


def track_with_errors(visit):
    visit.go(reverse("complaints:track"))
    visit.submit_with_errors("Track")


def track_not_found(visit):
    visit.go(reverse("complaints:track"))
    visit.fill("Tracking number", "LMI-AAAA-BBBB")
    visit.fill("Your email address", "nobody@example.com")
    visit.submit_with_errors("Track")


def track_result(visit):
    complaint = file_complaint(visit.customer)
    visit.go(reverse("complaints:track"))
    visit.fill("Tracking number", complaint.tracking_number)
    visit.fill("Your email address", visit.customer.email)
    visit.submit("Track")


# --- accounts -----------------------------------------------------------------------------

def sign_up(visit):
    visit.go(reverse("accounts:signup"))


def sign_up_with_errors(visit):
    visit.go(reverse("accounts:signup"))
    visit.fill("Email address", "not-an-email")
    visit.fill("Choose a password", PASSWORD)
    visit.fill("Type the password again", "something else")
    visit.submit_with_errors("Create account")


def log_in_page(visit):
    visit.go(reverse("accounts:login"))


def log_in_with_errors(visit):
    visit.go(reverse("accounts:login"))
    visit.fill("Email address", visit.customer.email)
    visit.fill("Password", "wrong password")
    visit.submit_with_errors("Log in")


def password_reset(visit):
    visit.go(reverse("accounts:password_reset"))


def password_reset_with_errors(visit):
    visit.go(reverse("accounts:password_reset"))
    visit.submit_with_errors("Email me a link")


def password_reset_sent(visit):
    visit.go(reverse("accounts:password_reset"))
    visit.fill("Email", visit.customer.email)
    visit.submit("Email me a link")


def reset_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def choose_password(visit):
    visit.go(reset_link(visit.customer))


def choose_password_with_errors(visit):
    visit.go(reset_link(visit.customer))
    visit.fill("New password", "short")
    visit.fill("New password confirmation", "different")
    visit.submit_with_errors("Set password")


def reset_link_expired(visit):
    visit.go(reverse("accounts:password_reset_confirm", args=["MQ", "no-such-token"]))


def password_set(visit):
    visit.go(reverse("accounts:password_reset_complete"))


def claim_sent(visit):
    visit.go(reverse("accounts:claim_sent"))


def sign_up_sent(visit):
    visit.go(reverse("accounts:signup"))
    visit.fill("Email address", "sam.new@example.com")
    visit.fill("Choose a password", PASSWORD)
    visit.fill("Type the password again", PASSWORD)
    visit.fill("Full name", "Sam New")
    visit.submit("Create account")
    expect(visit.page.get_by_role("heading", name="Check your email")).to_be_visible()


def confirmed_on_the_complaint_form(visit):
    sign_up_sent(visit)
    user = User.objects.get(email="sam.new@example.com")
    visit.go(reverse("accounts:confirm_sign_up", args=[confirmation_token(user)]))
    expect(visit.page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    visit.page.click("#confirm-address")
    expect(visit.page.get_by_role("heading", name="Make a complaint")).to_be_visible()


def confirmation_link_used(visit):
    sign_up_sent(visit)
    path = reverse("accounts:confirm_sign_up", args=[confirmation_token(User.objects.get(email="sam.new@example.com"))])
    Client().post(path)
    visit.go(path)
    expect(visit.page.get_by_role("heading", name="This link has already been used")).to_be_visible()


def confirmation_link_broken(visit):
    visit.go(reverse("accounts:confirm_sign_up", args=["no-such-token"]))


def new_confirmation_link(visit):
    visit.go(reverse("accounts:resend_confirmation"))


def new_confirmation_link_with_errors(visit):
    visit.go(reverse("accounts:resend_confirmation"))
    visit.fill("Email address", "not-an-email")
    visit.submit_with_errors("Send me a new link")


def profile(visit):
    visit.go(reverse("accounts:profile"), as_user=visit.customer)


def profile_with_errors(visit):
    visit.go(reverse("accounts:profile"), as_user=visit.customer)
    visit.fill("Full name", "")
    visit.submit_with_errors("Save your details")


def change_password(visit):
    visit.go(reverse("accounts:password_change"), as_user=visit.customer)


def change_password_with_errors(visit):
    visit.go(reverse("accounts:password_change"), as_user=visit.customer)
    visit.submit_with_errors("Change password")


def password_changed(visit):
    visit.go(reverse("accounts:password_change_done"), as_user=visit.customer)


# --- complaints ---------------------------------------------------------------------------

def my_complaints_empty(visit):
    visit.go(reverse("complaints:mine"), as_user=visit.customer)


def my_complaints(visit):
    file_complaint(visit.customer)
    services.withdraw_complaint(complaint=file_complaint(visit.customer), customer=visit.customer)
    visit.go(reverse("complaints:mine"), as_user=visit.customer)


def new_complaint(visit):
    visit.go(reverse("complaints:new"), as_user=visit.customer)


def new_complaint_with_errors(visit):
    visit.go(reverse("complaints:new"), as_user=visit.customer)
    visit.page.locator("main").get_by_label("Attachments").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}
    )
    visit.submit_with_errors("Send my complaint")


def filed(visit):
    complaint = file_complaint(visit.customer)
    visit.go(reverse("complaints:filed", args=[complaint.tracking_number]), as_user=visit.customer)


def complaint_open(visit):
    visit.go(detail(file_complaint(visit.customer)), as_user=visit.customer)


def complaint_closed(visit):
    complaint = file_complaint(visit.customer)
    services.resolve_complaint(complaint=complaint, agent=visit.agent, summary="We fixed the fault.",
                               upheld=Upheld.UPHELD, apology=True)
    visit.go(detail(complaint), as_user=visit.customer)


def complaint_with_messages_and_attachments(visit):
    complaint = file_complaint(visit.customer, attachments=[pdf_upload("statement.pdf")])
    services.add_staff_message(complaint=complaint, agent=visit.agent, body="Which meeting ID was it?")
    services.add_customer_message(complaint=complaint, customer=visit.customer, body="Meeting 123.",
                                  attachments=[pdf_upload("screenshot.pdf")])
    visit.go(detail(complaint), as_user=visit.customer)


def complaint_with_a_proposed_resolution(visit):
    complaint = file_complaint(visit.customer)
    services.propose_resolution(complaint=complaint, agent=visit.agent, proposal="A month's credit.",
                                upheld=Upheld.PARTLY, credit_amount=10)
    visit.go(detail(complaint), as_user=visit.customer)


def complaint_past_its_waiting_period(visit):
    complaint = file_complaint(visit.customer, received_at=timezone.now() - timedelta(days=60))
    assert create_adr_letter(complaint=complaint) is not None
    visit.go(detail(complaint), as_user=visit.customer)


def complaint_reply_with_errors(visit):
    visit.go(detail(file_complaint(visit.customer)), as_user=visit.customer)
    visit.submit_with_errors("Send reply")


def complaint_reject_resolution_with_errors(visit):
    complaint_with_a_proposed_resolution(visit)
    visit.submit_with_errors("No, I reject it")


def withdraw(visit):
    complaint = file_complaint(visit.customer)
    visit.go(reverse("complaints:withdraw", args=[complaint.tracking_number]), as_user=visit.customer)


def withdraw_with_errors(visit):
    withdraw(visit)
    visit.submit_with_errors("Withdraw my complaint")


def ombudsman(visit):
    complaint = file_complaint(visit.customer, received_at=timezone.now() - timedelta(days=60))
    create_adr_letter(complaint=complaint)
    visit.go(reverse("ombudsman:refer", args=[complaint.tracking_number]), as_user=visit.customer)


def ombudsman_with_errors(visit):
    ombudsman(visit)
    visit.fill("When did you contact the scheme?", "")
    visit.submit_with_errors("Record my referral")


# --- the customer's data (privacy app) -----------------------------------------------------

def close_account(visit):
    file_complaint(visit.customer)
    visit.go(reverse("privacy:close_account"), as_user=visit.customer)


def close_account_with_errors(visit):
    close_account(visit)
    visit.fill("Your password", "not my password")
    visit.submit_with_errors("Close my account")


def account_closed(visit):
    visit.go(reverse("privacy:account_closed"))


PAGES = [
    home, code_of_practice, code_of_practice_email_with_errors, contact,
    track, track_with_errors, track_not_found, track_result,
    sign_up, sign_up_with_errors, log_in_page, log_in_with_errors,
    password_reset, password_reset_with_errors, password_reset_sent,
    choose_password, choose_password_with_errors, reset_link_expired, password_set, claim_sent,
    sign_up_sent, confirmed_on_the_complaint_form, confirmation_link_used, confirmation_link_broken,
    new_confirmation_link, new_confirmation_link_with_errors,
    profile, profile_with_errors, change_password, change_password_with_errors, password_changed,
    my_complaints_empty, my_complaints, new_complaint, new_complaint_with_errors, filed,
    complaint_open, complaint_closed, complaint_with_messages_and_attachments,
    complaint_with_a_proposed_resolution, complaint_reject_resolution_with_errors,
    complaint_past_its_waiting_period, complaint_reply_with_errors,
    withdraw, withdraw_with_errors, ombudsman, ombudsman_with_errors,
    close_account, close_account_with_errors, account_closed,
]


@pytest.mark.parametrize("open_page", PAGES, ids=[open_page.__name__ for open_page in PAGES])
def test_page_has_no_serious_or_critical_axe_violations(open_page, live_server, page, customer, agent):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    open_page(Visit(page, live_server, customer=customer, agent=agent))

    violations = run_axe(page)

    counts = Counter(violation["impact"] for violation in violations)
    print(f"\naxe {open_page.__name__} {page.url}: {dict(counts) or 'no violations'}")
    if violations:
        print(describe(violations))
    assert not blocking(violations), f"{open_page.__name__}:\n{describe(blocking(violations))}"
