"""Every response carries a Content Security Policy that no page of the portal or the admin breaks."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from complaints import services
from ombudsman.services import create_adr_letter
from tests.browser.a11y import TIMEOUT_MS
from tests.browser.test_accessibility import PAGES, Visit
from tests.conftest import PASSWORD, enter_staff_code, file_complaint, give_authenticator

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "img-src": "'self' data:",
}

# Pages only: emails are read in mail programs and letters are rendered to PDF, not browsed; the
# data download's readable document is a file opened from the zip, so its style is inside it.
PAGE_TEMPLATES = [
    path for path in (settings.BASE_DIR / "templates").rglob("*.html")
    if "email" not in path.parts and "letters" not in path.parts
    and path.name not in ("erased_letter.html", "your-data.html")
]
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def pdf():
    return SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def read_setting(code, **env):
    """Print what ``code`` prints in a fresh process whose environment is only ``env``."""
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
                            env={"DJANGO_SETTINGS_MODULE": "complaints_portal.settings", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def directives(response):
    policy = response["Content-Security-Policy"]
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


@pytest.mark.django_db
@pytest.mark.parametrize("as_staff", [False, True])
def test_every_kind_of_response_carries_the_policy(client, customer, agent, as_staff):
    complaint = file_complaint(customer, attachments=[pdf()])
    attachment = complaint.attachments.get()
    if as_staff:
        client.force_login(agent)
        urls = [reverse("admin:index"), reverse("admin:complaints_complaint_changelist"),
                reverse("admin:complaints_complaint_change", args=[complaint.pk]), reverse("admin:jsi18n")]
    else:
        client.force_login(customer)
        urls = [reverse("home"), reverse("complaints:mine"), reverse("complaints:new"), "/no-such-page/",
                reverse("complaints:attachment", args=[complaint.tracking_number, attachment.pk]),
                reverse("complaints:detail", args=[complaint.tracking_number]) + "withdraw/"]

    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert directives(response).items() >= REQUIRED.items(), url


def test_a_redirect_carries_the_policy_too(client, db):
    response = client.get(reverse("complaints:mine"))

    assert response.status_code == 302
    assert directives(response).items() >= REQUIRED.items()


def test_static_files_served_by_whitenoise_carry_the_policy_too(client, settings):
    # Production serves collected files; the finders stand in for them here.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = client.get(f"{settings.STATIC_URL}css/portal.css")

    assert response.status_code == 200
    assert directives(response).items() >= REQUIRED.items()


def test_a_report_address_is_added_when_configured():
    setting = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY)"

    assert "report-uri" not in read_setting(setting)
    assert read_setting(setting, CSP_REPORT_URI="https://csp.example.com/r").endswith(
        "; report-uri https://csp.example.com/r")


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_page_template_has_inline_script_or_style(template):
    text = template.read_text()

    found = [f"{kind}: {match.group(0)!r}" for kind, pattern in INLINE.items() for match in pattern.finditer(text)]

    assert not found, "\n".join(found)


# --- in a real browser ----------------------------------------------------------------------

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", event => window.reportCspViolation(
  `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
));
"""


class ViolationLog:
    """Record, per page, what the browser's Content Security Policy blocked or complained about."""

    def __init__(self):
        self.found = []
        self.visited = 0

    def watch(self, context):
        context.add_init_script(REPORT_VIOLATIONS)
        context.expose_binding("reportCspViolation", self._report)
        context.on("console", self._console)
        context.on("response", self._count_page)

    def _report(self, source, text):
        self.found.append(f"{source['frame'].url}: {text}")

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def _count_page(self, response):
        if response.request.resource_type == "document":
            assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), response.url
            self.visited += 1

    def settle(self, page):
        # The violation events are queued tasks: give them a turn before the next page.
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise(resolve => setTimeout(resolve, 50))")


def new_page(browser, log):
    context = browser.new_context()
    log.watch(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_customer_page_breaks_the_policy(live_server, browser, customer, agent):
    """Walk every customer page the accessibility test walks, each in its state, in a fresh browser."""
    log = ViolationLog()
    for open_page in PAGES:
        page = new_page(browser, log)
        open_page(Visit(page, live_server, customer=customer, agent=agent))
        log.settle(page)
        page.context.close()

    assert log.visited >= len(PAGES)
    assert not log.found, "\n".join(dict.fromkeys(log.found))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_admin_or_report_page_breaks_the_policy(live_server, browser, customer):
    """Open the second factor's pages, the admin's index, every list and add page and an object of each,
    the desk and the reports."""
    complaint = file_complaint(customer, received_at=timezone.now() - timedelta(days=60),
                               attachments=[pdf()])
    services.add_customer_message(complaint=complaint, customer=customer, body="Still broken.")
    create_adr_letter(complaint=complaint)
    users = get_user_model().objects
    newcomer = users.create_user(email="new.agent@example.com", password=PASSWORD, full_name="New", is_staff=True)
    root = users.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root")
    give_authenticator(root)
    log = ViolationLog()

    # A new member of staff sets up their authenticator app.
    setup = new_page(browser, log)
    password_only = Client()
    password_only.login(username=newcomer.email, password=PASSWORD)
    cookie = password_only.cookies[settings.SESSION_COOKIE_NAME]
    setup.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    setup.goto(f"{live_server.url}{reverse('accounts:two_factor_setup')}")
    log.settle(setup)
    expect(setup.locator("#id_code")).to_be_visible()
    setup.context.close()

    # The administrator logs in through the admin's form and their code.
    page = new_page(browser, log)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", root.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    log.settle(page)
    enter_staff_code(page)
    page.wait_for_url(f"{live_server.url}/admin/")
    links = page.eval_on_selector_all("#content-main a[href]", "links => links.map(link => link.href)")
    # The complaint list opens on the administrator's own queue, which is empty: ask for all of it.
    lists = [f"{link}?view=all" if link.endswith("/complaints/complaint/") else link
             for link in dict.fromkeys(links) if not link.endswith("/add/")]
    objects = []
    for url in lists:
        page.goto(url)
        log.settle(page)
        objects += page.eval_on_selector_all("#result_list tbody tr:first-child a[href]",
                                             "links => links.slice(0, 1).map(link => link.href)")
    others = [link for link in dict.fromkeys(links) if link.endswith("/add/")] + [
        f"{live_server.url}{reverse('admin:desk_print_queue')}",
        f"{live_server.url}{reverse('reports:index')}",
        f"{live_server.url}{reverse('admin:complaints_complaint_change', args=[complaint.pk])}",
    ]
    for url in objects + others:
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        log.settle(page)

    print(f"\n{len(lists)} lists, {len(objects)} objects, {len(others)} other pages: {log.visited} documents")
    assert len(lists) >= 10 and len(objects) >= 8
    assert not log.found, "\n".join(dict.fromkeys(log.found))
