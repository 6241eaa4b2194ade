"""The clock's states as staff and customers see them in Chromium (rules.md, "The clock").

Screenshots of each page go to test-results/screenshots/ for a person to look at.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

import clock
from complaints import services
from ombudsman import services as adr_services
from tests.conftest import PASSWORD, enter_staff_code, file_complaint

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def received(customer, days_ago):
    """File a complaint received at noon UK time ``days_ago`` UK days before today.

    Noon, not this moment less the days: late in a summer evening that moment falls on the
    next UK day, and the days left and late would depend on when the test runs.
    """
    return file_complaint(customer, received_at=clock.uk_midnight(clock.uk_today() - timedelta(days=days_ago))
                          + timedelta(hours=12))


def staff_log_in(page, base, user):
    page.goto(f"{base}/admin/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    enter_staff_code(page)
    page.wait_for_url(f"{base}/admin/")


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_desk_and_the_customer_read_the_clocks_states(live_server, browser, customer, agent):
    base = live_server.url
    breach = received(customer, 60)
    running = received(customer, 40)
    deadlocked = [received(customer, 70 + days) for days in range(3)]
    for complaint in deadlocked:
        adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Our final position stands.")
    resolved_early = received(customer, 80)
    with time_machine.travel(resolved_early.received_at + timedelta(days=20)):
        services.resolve_complaint(complaint=resolved_early, agent=agent, summary="We fixed it.", upheld="upheld")

    # The desk: the breach first, in red; the deadlocked complaints last, "Customer told", never overdue.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_log_in(staff, base, agent)
    staff.goto(f"{base}/admin/complaints/complaint/?view=all")
    rows = staff.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text(breach.tracking_number)
    expect(rows.nth(0).locator(".desk-clock-breach")).to_have_text("Breach: ADR opened 4 d ago")
    expect(rows.nth(1)).to_contain_text(running.tracking_number)
    expect(rows.nth(1).locator(".field-time_left")).to_have_text("16 d left")
    for index in (2, 3, 4):
        expect(rows.nth(index).locator(".desk-clock-told")).to_contain_text("Customer told")
    expect(staff.locator("#result_list")).not_to_contain_text("Overdue")
    shot(staff, "desk-clock-states-1280")

    # One deadlocked complaint's page says what is true.
    staff.goto(f"{base}/admin/complaints/complaint/{deadlocked[0].pk}/change/")
    expect(staff.locator("#desk-customer-told")).to_contain_text("Deadlock letter written on")
    expect(staff.locator("#desk-customer-told")).to_contain_text("the customer may refer until")
    expect(staff.locator("#desk-may-refer")).to_have_text("Yes")
    expect(staff.locator("#desk-summary")).not_to_contain_text("d left")
    shot(staff, "desk-deadlocked-complaint")

    # The customer of the complaint resolved before its period ended is shown the way, after it.
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", customer.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base}/complaints/{resolved_early.tracking_number}/")
    # One banner says so, not two (issue 14): the way to the ombudsman, where the clock was.
    expect(page.locator("#ombudsman-panel")).to_contain_text(
        "You can take this complaint to the Office of the Telecommunications Ombudsman (Otelo) now")
    expect(page.locator("#ombudsman-panel")).to_contain_text("If you are not happy with our final answer")
    expect(page.locator("#clock")).to_have_count(0)
    shot(page, "customer-resolved-past-its-period")
    page.click("#ombudsman-panel a")
    expect(page.locator("#record-referral")).to_be_visible()
