"""An agent works the desk's queue from the keyboard (docs/desk.md), and the list fits a laptop.

The shortcuts live in static/js/desk.js. Each test watches the page's Content Security Policy:
the shortcuts must work under the portal's (no inline script, no inline handler). A screenshot
of the list at 1280 px goes to test-results/screenshots/ for a person to look at.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

import clock
from complaints import services
from complaints.models import Category, Product
from desk.admin import ComplaintAdmin
from ombudsman import services as adr_services
from tests.browser.a11y import TIMEOUT_MS, log_in
from tests.conftest import file_complaint, make_customer
from tests.security.test_csp import ViolationLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = settings.BASE_DIR / "test-results" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
CURRENT = re.compile(r"\bdesk-current\b")


def received(customer, days_ago, **fields):
    return file_complaint(customer, received_at=timezone.now() - timedelta(days=days_ago), **fields)


@pytest.fixture
def queue(customer, agent):
    """Five complaints assigned to the agent, with long names and most of the badges the list shows."""
    customer.support_consent_at = timezone.now()
    customer.vulnerable = True
    customer.save()
    wordy = make_customer("alexandra.montgomery-fitzwilliam@northern-regional-logistics.example.co.uk",
                          "Alexandra Montgomery-Fitzwilliam")
    breach, deadlocked, replied, asked, new = [
        received(customer, 60), received(customer, 70), received(wordy, 50), received(customer, 30),
        received(wordy, 2, product=Product.GOTOWEBINAR, category=Category.BILLING_DISCREPANCY,
                 statement_date=clock.uk_today() - timedelta(days=10))]
    adr_services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Our final position stands.")
    adr_services.record_referral(complaint=deadlocked, actor=customer, referred_on=clock.uk_today())
    services.request_information(complaint=replied, agent=agent, body="Which meeting was it?")
    services.add_customer_message(complaint=replied, customer=wordy, body="The one on Monday.")
    services.request_information(complaint=asked, agent=agent, body="Which meeting was it?")
    services.request_deadlock_letter(complaint=asked, customer=customer, reason="Nothing has changed.")
    complaints = [breach, deadlocked, replied, asked, new]
    for complaint in complaints:
        services.assign_complaint(complaint=complaint, agent=agent, actor=agent)
    return complaints


@pytest.fixture
def desk(browser, live_server, agent):
    """A laptop-sized browser where the agent is logged in to the desk, its policy watched."""
    csp = ViolationLog()
    context = browser.new_context(viewport=LAPTOP)
    csp.watch(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    log_in(page, live_server, agent)
    yield page
    csp.settle(page)
    context.close()
    assert not csp.found, "\n".join(csp.found)


def list_url(live_server):
    return live_server.url + reverse("admin:complaints_complaint_changelist")


def complaint_url(live_server, complaint):
    return live_server.url + reverse("admin:complaints_complaint_change", args=[complaint.pk])


def rows_links(page):
    """Return the address each row of the list opens, in the list's order."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#result_list tbody tr'),
                                             row => row.querySelector('a[href]').href)""")


def press_and_wait(page, key):
    """Press a key that opens another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def is_current(row):
    expect(row).to_have_attribute("aria-current", "true")
    expect(row).to_have_class(CURRENT)


def test_j_and_k_move_through_the_list_and_o_opens_the_highlighted_complaint(desk, live_server, queue):
    desk.goto(list_url(live_server))
    links = rows_links(desk)
    assert len(links) == len(queue)

    for key in "jjjk":
        desk.keyboard.press(key)

    rows = desk.locator("#result_list tbody tr")
    is_current(rows.nth(1))
    expect(desk.locator("#result_list tbody tr[aria-current]")).to_have_count(1)
    press_and_wait(desk, "o")
    assert desk.url == links[1]


def test_x_selects_the_highlighted_complaint_and_keys_typed_in_the_search_box_are_typed(desk, live_server, queue):
    desk.goto(list_url(live_server))
    first = desk.locator("#result_list tbody tr").first
    desk.keyboard.press("j")
    desk.keyboard.press("x")
    expect(first.locator("input.action-select")).to_be_checked()
    expect(desk.locator(".action-counter")).to_have_text(f"1 of {len(queue)} selected")

    desk.keyboard.press("Control+j")  # a browser's shortcut, never the desk's
    desk.keyboard.press("/")
    expect(desk.locator("#searchbar")).to_be_focused()
    desk.keyboard.type("jkxo/?")

    expect(desk.locator("#searchbar")).to_have_value("jkxo/?")
    is_current(first)
    expect(desk.locator("#result_list tbody tr[aria-current]")).to_have_count(1)
    expect(first.locator("input.action-select")).to_be_checked()
    expect(desk.locator("#desk-shortcuts")).to_be_hidden()
    assert desk.url == list_url(live_server)


def test_question_mark_or_the_button_shows_the_keys_and_escape_or_close_hides_them(desk, live_server, queue):
    desk.goto(list_url(live_server))
    panel = desk.get_by_role("dialog", name="Keyboard shortcuts")

    desk.keyboard.press("?")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Reply to the customer")
    desk.keyboard.press("j")  # the keys wait while the panel is open
    expect(desk.locator("#result_list tbody tr[aria-current]")).to_have_count(0)
    desk.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    desk.get_by_role("button", name="Keyboard shortcuts").click()
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()


def test_r_opens_the_reply_form_with_its_box_focused_and_the_next_keys_are_typed_there(desk, live_server, complaint):
    desk.goto(complaint_url(live_server, complaint))
    reply = desk.locator("#action-reply")
    expect(reply).not_to_have_attribute("open", "")

    desk.keyboard.press("r")

    expect(reply).to_have_attribute("open", "")
    body = desk.locator("#id_reply-body")
    expect(body).to_be_focused()
    expect(body).to_have_value("")
    desk.keyboard.type("r a j u ?")
    expect(body).to_have_value("r a j u ?")
    assert desk.url == complaint_url(live_server, complaint)


def test_a_assigns_the_complaint_to_the_agent(desk, live_server, complaint, agent):
    desk.goto(complaint_url(live_server, complaint))
    expect(desk.locator("#desk-assignee")).to_have_text("nobody")

    press_and_wait(desk, "a")

    expect(desk.locator("#desk-assignee")).to_have_text(agent.full_name)
    complaint.refresh_from_db()
    assert complaint.assigned_to == agent


def test_on_a_complaint_j_and_k_open_the_next_and_previous_of_the_list_and_u_goes_back(desk, live_server, queue):
    desk.goto(list_url(live_server))
    links = rows_links(desk)
    desk.keyboard.press("j")
    press_and_wait(desk, "o")
    assert desk.url == links[0]

    press_and_wait(desk, "j")
    assert desk.url == links[1]
    press_and_wait(desk, "j")
    assert desk.url == links[2]
    press_and_wait(desk, "k")
    assert desk.url == links[1]

    # Back on the list, the complaint the agent left is highlighted, and Enter opens it.
    press_and_wait(desk, "u")
    assert desk.url == list_url(live_server)
    is_current(desk.locator("#result_list tbody tr").nth(1))
    desk.locator("h1").click()
    press_and_wait(desk, "Enter")
    assert desk.url == links[1]


def test_a_complaint_says_when_a_key_has_nothing_to_do_and_shows_the_keys(desk, live_server, queue, complaint):
    desk.goto(list_url(live_server))
    desk.keyboard.press("j")
    press_and_wait(desk, "o")
    desk.keyboard.press("k")
    expect(desk.locator("#desk-shortcuts-status")).to_have_text("This is the first complaint on that page of the list.")
    desk.keyboard.press("a")
    expect(desk.locator("#desk-shortcuts-status")).to_contain_text("There is no “Assign to me” here")

    # A complaint that is not on the list: j has nowhere to go, u goes to the desk's list.
    desk.goto(complaint_url(live_server, complaint))
    desk.keyboard.press("j")
    expect(desk.locator("#desk-shortcuts-status")).to_contain_text("This complaint is not on the list you last opened")
    desk.keyboard.press("?")
    expect(desk.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    desk.keyboard.press("Escape")
    press_and_wait(desk, "u")
    assert desk.url == list_url(live_server)


def test_every_column_and_view_of_the_list_fits_a_laptop_screen(desk, live_server, queue):
    desk.goto(list_url(live_server))
    expect(desk.locator("#result_list tbody tr")).to_have_count(len(queue))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=SCREENSHOTS / "desk-list-1280.png")

    fit = desk.evaluate("""() => {
        const table = document.getElementById('result_list');
        const rights = {};
        table.querySelectorAll('thead th').forEach(th => { rights[th.className] = th.getBoundingClientRect().right; });
        const tabs = Array.from(document.querySelectorAll('.desk-views a'), tab => tab.getBoundingClientRect().right);
        return {table: table.scrollWidth, room: table.parentElement.clientWidth, rights: rights, tabs: tabs,
                page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth};
    }""")
    assert fit["table"] <= fit["room"], fit
    assert fit["page"] <= fit["screen"], fit
    assert fit["tabs"] and max(fit["tabs"]) <= LAPTOP["width"], fit
    for name in ComplaintAdmin.list_display:
        [right] = [right for classes, right in fit["rights"].items() if f"column-{name}" in classes.split()]
        assert right <= LAPTOP["width"], (name, fit)
