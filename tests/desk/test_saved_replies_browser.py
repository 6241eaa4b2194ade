"""An agent inserts saved replies into a message on a complaint's page and edits it before sending."""

import pytest
from playwright.sync_api import expect

from desk.models import SavedReply
from desk.saved_replies import save_saved_reply
from tests.conftest import PASSWORD, enter_staff_code


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_inserts_saved_replies_at_the_cursor_and_edits_before_sending(live_server, browser, agent, manager,
                                                                             complaint):
    for title, body in [("Engineer booked", "Dear {customer_name}, an engineer visits on Monday."),
                        ("Sorry", "We are sorry about {tracking_number}.")]:
        save_saved_reply(reply=SavedReply(title=title, body=body), actor=manager)
    base = live_server.url
    page = browser.new_context().new_page()
    page.goto(f"{base}/admin/")
    page.fill("#id_username", agent.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    enter_staff_code(page)
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/complaints/complaint/{complaint.pk}/change/")
    page.click("#action-reply summary")
    message = page.locator("#id_reply-body")
    insert = page.locator("#action-reply [data-saved-replies-insert]")

    # Into an empty message: the reply, filled in, becomes the message, and the agent types on.
    page.select_option("#id_reply-body-saved-reply", label="Engineer booked")
    insert.click()
    expect(message).to_have_value("Dear Dana Customer, an engineer visits on Monday.")
    expect(message).to_be_focused()
    page.keyboard.type("\n\nThanks, Alex")

    # Into a message already written: where the cursor is, the rest kept.
    message.evaluate("textarea => { const at = textarea.value.indexOf('\\n'); textarea.setSelectionRange(at, at); }")
    page.keyboard.type(" ")
    page.select_option("#id_reply-body-saved-reply", label="Sorry")
    insert.click()
    sorry = f"We are sorry about {complaint.tracking_number}."
    expect(message).to_have_value(f"Dear Dana Customer, an engineer visits on Monday. {sorry}\n\nThanks, Alex")

    page.locator("#action-reply button[type=submit]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Reply sent to the customer")
    expect(page.locator("#desk-timeline")).to_contain_text(f"an engineer visits on Monday. {sorry}")
