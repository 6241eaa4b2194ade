"""The demo desk's morning: saved replies, and a customer's reply and phone twin waiting for the agent."""

from django.core.management import call_command

from complaints.models import Channel, Complaint
from desk import queue
from desk.models import SavedReply
from desk.print_queue import waiting


def test_the_demo_morning_is_written_once_through_the_services(db):
    call_command("seed_demo", complaints=0)
    call_command("seed_desk_demo")
    call_command("seed_desk_demo")

    assert SavedReply.objects.count() == 3
    mine = Complaint.objects.filter(assigned_to__email="agent@example.com", customer__email="customer@example.com")
    assert sorted(mine.values_list("channel", flat=True)) == [Channel.PHONE, Channel.WEB]
    web = mine.get(channel=Channel.WEB)
    assert queue.reason(web) == queue.Reason.CUSTOMER and web.customer_acted_at is not None
    phoned = mine.get(channel=Channel.PHONE)
    assert phoned.received_at < web.received_at
    [by_post] = waiting()
    assert by_post["large_print"] and by_post["letter"].complaint.channel == Channel.LETTER
