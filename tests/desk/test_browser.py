"""An agent and a customer, each in their own browser, take a complaint to deadlock."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Status
from tests.conftest import PASSWORD, enter_staff_code


def open_action(page, name):
    page.click(f"#action-{name} summary")
    return page.locator(f"#action-{name} form")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_replies_and_proposes_customer_rejects_agent_deadlocks(live_server, browser, agent, complaint):
    base = live_server.url
    staff = browser.new_context().new_page()
    customer_page = browser.new_context().new_page()

    # The agent logs in to the admin with a password and a code, and finds the complaint however the
    # customer read it out.
    staff.goto(f"{base}/admin/")
    staff.fill("#id_username", agent.email)
    staff.fill("#id_password", PASSWORD)
    staff.click("input[type=submit]")
    enter_staff_code(staff)
    staff.wait_for_url(f"{base}/admin/")
    staff.goto(f"{base}/admin/complaints/complaint/")
    staff.fill("#searchbar", complaint.tracking_number.lower().replace("-", ""))
    staff.press("#searchbar", "Enter")
    staff.click(f"#result_list a:text('{complaint.tracking_number}')")
    expect(staff.locator("h1")).to_contain_text(complaint.tracking_number)

    # It replies, then proposes a resolution.
    form = open_action(staff, "reply")
    form.locator("textarea").fill("We have found the fault and are fixing it.")
    form.locator("button[type=submit]").click()
    expect(staff.locator(".messagelist .success")).to_contain_text("Reply sent to the customer")
    form = open_action(staff, "propose")
    form.locator("#id_propose-proposal").fill("We will credit one month's fee of £12.")
    form.locator("#id_propose-upheld").select_option("upheld")
    form.locator("#id_propose-root_cause").select_option(label="Service outage or fault")
    form.locator("#id_propose-credit_amount").fill("12.00")
    form.locator("button[type=submit]").click()
    expect(staff.locator(".messagelist .success")).to_contain_text("Resolution proposed")

    # The customer sees the reply and rejects the proposal.
    customer_page.goto(f"{base}/accounts/login/")
    customer_page.fill("#id_username", complaint.customer.email)
    customer_page.fill("#id_password", PASSWORD)
    customer_page.click("main button[type=submit]")
    customer_page.goto(f"{base}/complaints/{complaint.tracking_number}/")
    expect(customer_page.locator("#timeline ~ ol")).to_contain_text("We have found the fault and are fixing it.")
    expect(customer_page.locator("#proposal")).to_contain_text("We will credit one month's fee of £12.")
    customer_page.fill("#reject-resolution textarea", "A month's credit does not cover the lost webinars.")
    customer_page.click("#reject-resolution button[type=submit]")
    expect(customer_page.locator(".alert-success")).to_contain_text("your complaint stays open")
    expect(customer_page.locator("#proposal")).to_have_count(0)

    # The agent sees the rejection and puts the complaint into deadlock.
    staff.reload()
    expect(staff.locator("#desk-status")).to_have_text("Investigating")
    expect(staff.locator("#desk-timeline")).to_contain_text("A month's credit does not cover the lost webinars.")
    form = open_action(staff, "deadlock")
    form.locator("textarea").fill("We cannot offer more than a month's credit.")
    form.locator("button[type=submit]").click()
    # First the letter as the customer will read it, then the confirmation.
    expect(staff.locator("#desk-preview-text")).to_contain_text("We cannot offer more than a month's credit.")
    staff.click("#desk-confirm")
    expect(staff.locator(".messagelist .success")).to_contain_text("In deadlock; the deadlock letter goes by email")

    # The customer sees the deadlock letter and the way to the ombudsman.
    customer_page.reload()
    expect(customer_page.locator("#letters")).to_contain_text("Deadlock letter")
    customer_page.click("#ombudsman-panel a")
    expect(customer_page).to_have_url(re.compile(rf"/complaints/{complaint.tracking_number}/ombudsman/$"))
    expect(customer_page.locator("h1")).to_have_text("Take your complaint to the ombudsman")
    complaint.refresh_from_db()
    assert complaint.status == Status.DEADLOCK and complaint.letters.get().kind == "deadlock"
