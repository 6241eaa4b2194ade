"""What customers see, in a real browser at a laptop's and a phone's width (1280 and 390 px).

For the customer's complaint page, a deadlocked complaint, the track result and the readable
data download: a full-page screenshot of each (test-results/screenshots/, to look at before
a change to what customers read is done), axe-core's check (no serious or critical violation),
no request that fails (a favicon, say) and no template text on the screen.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from complaints import services
from ombudsman import services as adr_services
from privacy import export
from tests.browser.a11y import TIMEOUT_MS, blocking, describe, log_in, run_axe
from tests.conftest import file_complaint
from tests.words.conftest import pdf_upload
from tests.words.reading import leftovers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = settings.BASE_DIR / "test-results" / "screenshots"
WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script the page's own Content-Security-Policy would refuse.
    return {**browser_context_args, "bypass_csp": True}


def talked_about(customer, agent):
    complaint = file_complaint(customer, attachments=[pdf_upload("march bill.pdf")])
    services.request_information(complaint=complaint, agent=agent, body="Which meeting ID was it, and when?")
    services.add_customer_message(complaint=complaint, customer=customer, body="Meeting 123, on Monday at 10.",
                                  attachments=[pdf_upload("screenshot.pdf")])
    return complaint


def deadlocked(customer, agent):
    complaint = talked_about(customer, agent)
    adr_services.declare_deadlock(complaint=complaint, actor=agent,
                                  reason="We have checked the charges again and they are correct under your plan.")
    return complaint


def complaint_page(page, live_server, customer, agent):
    log_in(page, live_server, customer)
    page.goto(live_server.url + talked_about(customer, agent).get_absolute_url())
    expect(page.get_by_role("heading", name="What has happened")).to_be_visible()


def deadlocked_complaint(page, live_server, customer, agent):
    log_in(page, live_server, customer)
    page.goto(live_server.url + deadlocked(customer, agent).get_absolute_url())
    expect(page.get_by_role("heading", name="Letters")).to_be_visible()


def track_result(page, live_server, customer, agent):
    complaint = talked_about(customer, agent)
    page.goto(live_server.url + reverse("complaints:track"))
    page.get_by_label("Tracking number").fill(complaint.tracking_number)
    page.get_by_label("Your email address").fill(customer.email)
    page.locator("main").get_by_role("button", name="Track").click()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()


def data_download(page, live_server, customer, agent, tmp_path):
    deadlocked(customer, agent)
    client = Client()
    client.force_login(customer)
    response = client.get(reverse("privacy:my_data"))
    folder = tmp_path / "my-data"
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(folder)
    # Opened from the unzipped folder, as the customer opens it: no server at all.
    page.goto((folder / export.DOCUMENT).as_uri())
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()


PAGES = [complaint_page, deadlocked_complaint, track_result, data_download]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("open_page", PAGES, ids=[open_page.__name__ for open_page in PAGES])
def test_what_customers_see(open_page, width, live_server, page, customer, agent, tmp_path):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    arguments = (page, live_server, customer, agent, tmp_path) if open_page is data_download else (
        page, live_server, customer, agent)

    open_page(*arguments)
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=Path(SCREENSHOTS, f"{open_page.__name__}-{WIDTHS[width]}.png"), full_page=True)

    assert failed == [], "every request the page makes succeeds (the favicon's too)"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTHS[width], "nothing runs off the side"
    assert leftovers(page.locator("body").inner_text()) == []
    if open_page is not data_download:
        icon = page.evaluate("() => [...document.querySelectorAll('link[rel=icon]')].map(link => link.href)")
        assert any(href.endswith("/static/favicon.svg") for href in icon)
    violations = run_axe(page)
    assert not blocking(violations), describe(blocking(violations))
