"""A customer can do everything by keyboard alone, and always sees where the focus is.

The tests drive the pages only with ``page.keyboard`` (Tab, Shift+Tab, Enter, Space and
typing); they open the first page by address, as a customer would type it, and read the
page only to check what happened.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Category, Complaint, Product
from tests.browser.a11y import TIMEOUT_MS, accessible_name, focused, tab_to
from tests.conftest import PASSWORD

# live_server serves from another thread, so the data must really be committed; see
# test_customer_journey.py for why serialized_rollback is needed too.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _patient_page(page):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)


def press_and_wait(page, key):
    """Press a key that follows a link or submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(live_server, page):
    page.goto(live_server.url + reverse("home"))

    page.keyboard.press("Tab")

    skip = focused(page)
    assert accessible_name(skip) == "Skip to main content"
    assert skip["visible"], skip
    assert page.evaluate("""() => {
        const box = document.activeElement.getBoundingClientRect();
        const onTop = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return box.width > 50 && box.height > 20 && document.activeElement.contains(onTop);
    }"""), "the focused skip link is hidden or covered"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert accessible_name(focused(page)) == "Make a complaint online"


def test_a_customer_logs_in_files_a_complaint_and_finds_it_by_keyboard_alone(live_server, page, customer):
    page.goto(live_server.url + reverse("home"))

    # Log in: past the skip link into the page, then back up to the header with Shift+Tab.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_to(page, "Log in", key="Shift+Tab")
    press_and_wait(page, "Enter")
    expect(page.get_by_label("Email address")).to_be_focused()  # the form's autofocus
    page.keyboard.type(customer.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Log in")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="My complaints")).to_be_visible()

    # The complaint form, first sent with an answer missing.
    tab_to(page, "Make a complaint")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Make a complaint")).to_be_visible()
    tab_to(page, "Which product or service is it about?")
    page.keyboard.type("GoToWebinar")  # a closed select picks the option its typed name starts
    tab_to(page, "What kind of problem is it?")
    page.keyboard.type("Service fault")
    expect(page.get_by_label("Which product or service is it about?")).to_have_value(Product.GOTOWEBINAR)
    expect(page.get_by_label("What kind of problem is it?")).to_have_value(Category.SERVICE_FAULT)
    stops = tab_to(page, "What went wrong?")
    assert len(stops) == 1, "the statement date, for billing complaints only, should be skipped"
    page.keyboard.type("The webinar audio cuts out every few minutes.")
    tab_to(page, "Send my complaint")
    press_and_wait(page, "Enter")

    # The title says so first, the error summary takes focus, and its link takes the customer
    # to the field to correct.
    expect(page).to_have_title(re.compile(r"^Error: Make a complaint"))
    expect(page.locator("#error-summary")).to_be_focused()
    tab_to(page, "What would you like us to do? This field is required.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("What would you like us to do?")).to_be_focused()
    page.keyboard.type("Fix the audio.")
    tab_to(page, "Send my complaint")
    press_and_wait(page, "Space")

    expect(page.get_by_role("heading", name="We have received your complaint")).to_be_visible()
    tracking_number = page.locator("#tracking-number").inner_text().strip()
    complaint = Complaint.objects.get(tracking_number=tracking_number, customer=customer)
    assert (complaint.product, complaint.category) == (Product.GOTOWEBINAR, Category.SERVICE_FAULT)
    assert complaint.description == "The webinar audio cuts out every few minutes."
    assert complaint.desired_outcome == "Fix the audio."

    tab_to(page, "My complaints")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="My complaints")).to_be_visible()
    tab_to(page, tracking_number)
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name=re.compile(tracking_number))).to_be_visible()


def test_the_menu_opens_by_keyboard_on_a_small_screen(live_server, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("home"))
    menu_button = page.get_by_role("button", name="Show menu")
    expect(page.get_by_role("link", name="Track a complaint")).to_be_hidden()

    tab_to(page, "Show menu")
    page.keyboard.press("Enter")

    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Track a complaint")).to_be_visible()
    tab_to(page, "Track a complaint")
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Track a complaint")).to_be_visible()
