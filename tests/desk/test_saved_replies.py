"""Saved replies: managers keep them, agents get them filled in for a complaint, never run as templates."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from desk import saved_replies
from desk.models import SavedReply
from ombudsman.models import Scheme
from tests.conftest import file_complaint
from tests.ombudsman.conftest import uk


def save(title, body, actor, **fields):
    return saved_replies.save_saved_reply(reply=SavedReply(title=title, body=body, **fields), actor=actor)


def offered(complaint, agent):
    return saved_replies.for_complaint(complaint, agent=agent)


def add_url():
    return reverse("admin:desk_savedreply_add")


def change_url(reply):
    return reverse("admin:desk_savedreply_change", args=[reply.pk])


def form_data(**fields):
    return {"title": "Chasing the engineer", "body": "Dear {customer_name}, we are on it.", "is_active": "on",
            "_save": "Save", **fields}


# --- filling a reply in --------------------------------------------------------------------


def test_placeholders_are_filled_from_the_complaint_the_clock_and_the_scheme(customer, agent, manager):
    Scheme.objects.filter(is_provider_scheme=True).update(name="Communications Ombudsman", name_takes_the=True,
                                                          website="www.commsombudsman.example", phone="0330 440 1614")
    with time_machine.travel(uk(2026, 12, 20, 23, 30), tick=False):
        complaint = file_complaint(customer)
    save("ADR", "Dear {customer_name}, about {tracking_number}: if we have not resolved it by {adr_date} "
                "({waiting_period} from when you told us), you can go to {scheme_name} ({scheme_website}, "
                "{scheme_phone}). {agent_name}", manager)

    [reply] = offered(complaint, agent)

    assert reply["text"] == (
        f"Dear Dana Customer, about {complaint.tracking_number}: if we have not resolved it by 14 February 2027 "
        "(8 weeks from when you told us), you can go to the Communications Ombudsman (www.commsombudsman.example, "
        "0330 440 1614). Alex Agent")


def test_every_placeholder_has_a_value(complaint, agent):
    assert saved_replies.placeholder_values(complaint, agent=agent).keys() == saved_replies.PLACEHOLDERS.keys()


def test_a_managers_text_is_never_run_as_a_template(complaint, agent, manager):
    body = ("Hello {customer_name}. {{ request }} {% now 'Y' %} {{ agent.password }} {0} {customer_name!r} "
            "{tracking_number:>20} { agent_name } %(customer_name)s ${agent_name}")
    save("Braces", body, manager)

    [reply] = offered(complaint, agent)

    assert reply["text"] == body.replace("Hello {customer_name}.", "Hello Dana Customer.").replace(
        "${agent_name}", "$Alex Agent")


def test_a_value_that_looks_like_a_placeholder_is_not_filled_again(complaint, agent, manager):
    complaint.customer.full_name = "{agent_name} {{ request }}"
    complaint.customer.save()
    save("Hello", "Dear {customer_name}, from {agent_name}", manager)

    [reply] = offered(complaint, agent)

    assert reply["text"] == "Dear {agent_name} {{ request }}, from Alex Agent"


def test_without_a_provider_scheme_its_placeholders_stay_for_the_agent_to_fill(complaint, agent, manager):
    Scheme.objects.update(is_provider_scheme=False)
    save("ADR", "Go to {scheme_name}, {customer_name}.", manager)

    [reply] = offered(complaint, agent)

    assert reply["text"] == "Go to {scheme_name}, Dana Customer."


def test_only_active_replies_are_offered_by_title(complaint, agent, manager):
    zeta = save("Zeta", "Last.", manager)
    save("Middle", "Retired.", manager, is_active=False)
    alpha = save("Alpha", "First.", manager)

    assert offered(complaint, agent) == [{"id": alpha.pk, "title": "Alpha", "text": "First."},
                                         {"id": zeta.pk, "title": "Zeta", "text": "Last."}]


# --- saving a reply --------------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_naming_it_and_the_valid_ones(manager):
    with pytest.raises(ValidationError) as refused:
        save("Typo", "Dear {customer_nmae}, see {request} and {customer_nmae}.", manager)

    [message] = refused.value.message_dict["body"]
    assert message.startswith("{customer_nmae}, {request} are not a placeholder. The placeholders are "
                              "{customer_name}, {tracking_number}, {adr_date}")
    assert not SavedReply.objects.exists()


def test_saving_records_who_wrote_and_who_last_changed_a_reply(manager, superuser):
    reply = save("Hello", "Dear {customer_name}", manager)
    reply.body = "Hello {customer_name}"
    saved_replies.save_saved_reply(reply=reply, actor=superuser)

    reply.refresh_from_db()
    assert (reply.created_by, reply.updated_by, reply.body) == (manager, superuser, "Hello {customer_name}")


# --- the fragment on a complaint's page ------------------------------------------------------


def render_fragment(replies):
    return render_to_string("admin/desk/_saved_replies.html", {"saved_replies": replies, "target": "id_reply-body"})


def test_the_fragment_offers_each_reply_for_its_textarea_with_its_text_escaped(complaint, agent, manager):
    save("Careful", '<script>alert("{customer_name}")</script> & more', manager)

    html = render_fragment(offered(complaint, agent))

    assert "<script" not in html
    escaped = escape('<script>alert("Dana Customer")</script> & more')
    assert f'data-text="{escaped}"' in html  # what the script inserts
    assert f'<div class="desk-body">{escaped}</div>' in html  # what a reader without scripts copies
    assert 'data-saved-replies-for="id_reply-body"' in html
    assert '<select id="id_reply-body-saved-reply">' in html


def test_the_fragment_is_left_out_when_there_are_no_saved_replies():
    assert render_fragment([]).strip() == ""


# --- the admin -------------------------------------------------------------------------------


def test_agents_read_saved_replies_but_cannot_add_change_or_delete_them(agent_client, manager):
    reply = save("Hello", "Dear {customer_name}", manager)

    assert agent_client.get(reverse("admin:desk_savedreply_changelist")).status_code == 200
    assert agent_client.get(change_url(reply)).status_code == 200
    assert agent_client.get(add_url()).status_code == 403
    assert agent_client.post(add_url(), form_data()).status_code == 403
    assert agent_client.post(change_url(reply), form_data(title="Mine now")).status_code == 403
    assert agent_client.post(reverse("admin:desk_savedreply_delete", args=[reply.pk]),
                             {"post": "yes"}).status_code == 403
    reply.refresh_from_db()
    assert reply.title == "Hello"


def test_managers_add_change_and_delete_saved_replies(manager_client, manager):
    response = manager_client.post(add_url(), form_data())

    assert response.status_code == 302
    reply = SavedReply.objects.get()
    assert (reply.title, reply.created_by, reply.updated_by) == ("Chasing the engineer", manager, manager)

    manager_client.post(change_url(reply), form_data(body="Hello {customer_name}", is_active=""))
    reply.refresh_from_db()
    assert (reply.body, reply.is_active) == ("Hello {customer_name}", False)

    manager_client.post(reverse("admin:desk_savedreply_delete", args=[reply.pk]), {"post": "yes"})
    assert not SavedReply.objects.exists()


def test_the_admin_refuses_an_unknown_placeholder_on_the_field_keeping_what_was_typed(manager_client):
    response = manager_client.post(add_url(), form_data(body="Dear {name}, thanks."))

    assertContains(response, escape("{name} is not a placeholder. The placeholders are {customer_name}"))
    assertContains(response, ">\nDear {name}, thanks.</textarea>")
    assert not SavedReply.objects.exists()


def test_the_form_lists_each_placeholder_with_what_it_means(manager_client):
    response = manager_client.get(add_url())

    for token, description in saved_replies.tokens():
        assertContains(response, f"<li><code>{token}</code>: {escape(description)}</li>")
