"""An agent's morning on the demo data, in a browser: the queue, a saved reply, a stale page, a deadlock
after its preview, a merge, and the post room's print run.

Screenshots of the list at 1280 px go to test-results/screenshots/ for a person to look at.
"""

from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts import totp
from accounts.models import User
from accounts.two_factor import confirmed_authenticator
from complaints import services
from complaints.models import Channel, Complaint, Status
from desk.print_queue import waiting
from tests.browser.test_clock_states import shot

DEMO_AGENT_PASSWORD = "demo-agent-2026"


def log_in_as_demo_agent(page, base):
    agent = User.objects.get(email="agent@example.com")
    page.goto(f"{base}/admin/")
    page.fill("#id_username", agent.email)
    page.fill("#id_password", DEMO_AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    secret = confirmed_authenticator(agent).secret
    page.fill("#id_code", totp.code_at(secret, totp.step_at(timezone.now())))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def why(row):
    return row.locator(".field-why .desk-why").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agents_morning_on_the_demo_data(live_server, browser):
    call_command("seed_demo", complaints=120, seed=2027, verbosity=0)
    call_command("seed_desk_demo", verbosity=0)
    call_command("sweep_clocks", verbosity=0)
    casey = User.objects.get(email="customer@example.com")
    web = Complaint.objects.get(customer=casey, channel=Channel.WEB, description__startswith="I was charged twice")
    phoned = Complaint.objects.get(customer=casey, channel=Channel.PHONE, description__startswith="I was charged")
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in_as_demo_agent(page, base)

    # The desk opens on the agent's own queue: breaches first, then the complaints whose
    # customer acted last, marked unread.
    page.goto(f"{base}/admin/complaints/complaint/")
    expect(page.locator(".desk-views [aria-current=page]")).to_contain_text("Mine")
    shot(page, "morning-desk-list-1280")
    rows = page.locator("#result_list tbody tr")
    reasons = [why(rows.nth(index)) for index in range(rows.count())]
    first_replied = next(index for index, reason in enumerate(reasons) if reason != "Breach")
    assert reasons[first_replied] == "Customer replied", reasons
    replied = rows.nth(first_replied)
    expect(replied.locator(".desk-unread")).to_be_visible()
    tracking = replied.locator(".field-tracking_number a").inner_text()

    # It opens that complaint, inserts a saved reply, edits it and sends it.
    replied.locator(".field-tracking_number a").click()
    page.click("#action-reply summary")
    page.select_option("#id_reply-body-saved-reply", label="Please send the invoice")
    page.click("#action-reply [data-saved-replies-insert]")
    body = page.locator("#id_reply-body")
    expect(body).to_be_focused()
    assert body.input_value().startswith("Dear ") and "{customer_name}" not in body.input_value()
    body.press("End")
    body.type("\nThank you.")
    page.click("#action-reply button[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("Reply sent to the customer")

    # Back on the list, the mark has gone and the complaint waits for nobody.
    page.goto(f"{base}/admin/complaints/complaint/?view=replied")
    expect(page.locator("#changelist")).not_to_contain_text(tracking)
    page.goto(f"{base}/admin/complaints/complaint/?q={tracking}")
    expect(page.locator("#result_list tbody tr .desk-unread")).to_have_count(0)

    # On Casey's web complaint, a deadlock from a page a colleague changed meanwhile is refused.
    page.goto(f"{base}/admin/complaints/complaint/{web.pk}/change/")
    page.click("#action-deadlock summary")
    page.fill("#id_deadlock-reason", "We refunded the second charge of £29.00 and cannot offer more.")
    manager = User.objects.get(email="manager@example.com")
    services.add_internal_note(complaint=web, agent=manager, body="Casey rang: she wants a letter.")
    page.click("#action-deadlock button[type=submit]")
    expect(page.locator("#desk-changes")).to_contain_text("Casey rang: she wants a letter.")
    expect(page.locator("#id_deadlock-reason")).to_have_value(
        "We refunded the second charge of £29.00 and cannot offer more.")
    assert Complaint.objects.get(pk=web.pk).status != Status.DEADLOCK

    # Reloaded, it declares deadlock after reading the letter as Casey will.
    page.goto(f"{base}/admin/complaints/complaint/{web.pk}/change/")
    page.click("#action-deadlock summary")
    page.fill("#id_deadlock-reason", "We refunded the second charge of £29.00 and cannot offer more.")
    page.click("#action-deadlock button[type=submit]")
    expect(page.locator("#desk-preview-text")).to_contain_text("cannot offer more")
    expect(page.locator("#desk-preview-how")).to_contain_text(casey.email)
    page.click("#desk-confirm")
    expect(page.locator(".messagelist .success")).to_contain_text("In deadlock")
    assert Complaint.objects.get(pk=web.pk).status == Status.DEADLOCK

    # It merges the phone complaint into the web one: the survivor takes the earlier date.
    page.click("#desk-merge-link")
    page.fill("#id_tracking_number", phoned.tracking_number.lower().replace("-", " "))
    page.click("#desk-merge-find button[type=submit]")
    expect(page.locator("#desk-preview-text")).to_contain_text(web.tracking_number)
    page.click("#desk-merge-submit")
    expect(page.locator(".messagelist .success")).to_contain_text(f"{phoned.tracking_number} is merged")
    expect(page.locator("#desk-merged")).to_contain_text(phoned.tracking_number)
    merged_web = Complaint.objects.get(pk=web.pk)
    assert merged_web.received_at == phoned.received_at
    assert Complaint.objects.get(pk=phoned.pk).merged_into_id == web.pk

    # The post room: one PDF of every waiting letter, then all marked as posted.
    waiting_before = waiting()
    assert waiting_before, "the demo's post customers have letters waiting"
    page.goto(f"{base}/admin/complaints/complaint/print-queue/")
    expect(page.locator("#print-queue-count")).to_contain_text(f"{len(waiting_before)} letter")
    page.click("#print-all")
    pdf_url = page.locator("#print-all-pdf").get_attribute("href")
    joined = page.request.get(f"{base}{pdf_url}")
    assert joined.headers["content-type"] == "application/pdf"
    expected_pages = sum(len(PdfReader(BytesIO(bytes(item["letter"].pdf))).pages) for item in waiting(with_pdf=True))
    assert len(PdfReader(BytesIO(joined.body())).pages) == expected_pages
    page.click("#mark-all-posted button[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("posted")
    assert waiting() == []
