"""The weekly digest: last week's headline figures and the complaints reaching ADR soon, to every manager."""

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import COMPLAINT_MANAGERS
from complaints.models import EmailKind, OutgoingEmail
from reports import tasks
from reports.services import send_weekly_digest
from tests.conftest import PASSWORD, make_staff
from tests.reports.conftest import NOW, uk


def test_each_manager_gets_the_digest(dataset, manager, agent, customer):
    root = User.objects.create_superuser(email="root@example.com", password=PASSWORD, full_name="Root")
    gone = make_staff("gone.manager@example.com", "Gone Manager", COMPLAINT_MANAGERS)
    gone.is_active = False
    gone.save()
    no_email = User.objects.create_user(email=None, full_name="Paper Manager", is_staff=True)
    no_email.groups.add(Group.objects.get(name=COMPLAINT_MANAGERS))

    emails = send_weekly_digest(now=NOW)

    assert sorted(email.to for email in emails) == [manager.email, root.email]
    assert {email.kind for email in emails} == {EmailKind.DIGEST}


def test_the_digest_gives_last_weeks_figures_and_the_forecast(dataset, manager):
    [email] = send_weekly_digest(now=NOW)
    assert email.subject == "Complaints digest: week beginning 25 May 2026"
    text = email.text_body
    assert "Dear Morgan," in text
    assert "(25 May 2026 to 31 May 2026)" in text
    # Complaint 13 was received on 25 May; nothing was resolved that week.
    assert "- Received in the period: 1\n" in text
    assert "- Resolved in the period: 0\n" in text
    assert "- Alex Agent: 1 in the next 7 days, 2 in the next 14 days\n" in text
    assert "- Unassigned: 0 in the next 7 days, 1 in the next 14 days\n" in text
    assert "- All agents: 2 in the next 7 days, 4 in the next 14 days\n" in text
    assert f"{settings.SITE_URL}/reports/?date_from=2026-05-25&date_to=2026-05-31" in text
    html = email.html_body
    assert f'href="{settings.SITE_URL}/admin/complaints/complaint/?' in html
    assert f'href="{settings.SITE_URL}/reports/?date_from=2026-05-25&amp;date_to=2026-05-31"' in html


def test_the_task_queues_the_digest_as_outbox_rows(dataset, manager):
    with time_machine.travel(uk(6, 1, 7), tick=False):
        tasks.send_weekly_digest()
    assert OutgoingEmail.objects.filter(to=manager.email, subject__startswith="Complaints digest").count() == 1


def test_a_rerun_in_the_same_week_sends_nothing_more(dataset, manager):
    with time_machine.travel(uk(6, 1, 7), tick=False):
        tasks.send_weekly_digest()
    with time_machine.travel(uk(6, 1, 9), tick=False):
        tasks.send_weekly_digest()
    assert OutgoingEmail.objects.filter(kind=EmailKind.DIGEST).count() == 1
    # The next Monday is a new week, with its own digest.
    with time_machine.travel(uk(6, 8, 7), tick=False):
        tasks.send_weekly_digest()
    assert OutgoingEmail.objects.filter(kind=EmailKind.DIGEST).count() == 2


def test_beat_sends_the_digest_on_monday_mornings_uk_time():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-manager-digest"]
    assert entry["task"] == "reports.tasks.send_weekly_digest"
    schedule = entry["schedule"]
    assert (schedule.day_of_week, schedule.hour, schedule.minute) == ({1}, {7}, {0})
    assert settings.CELERY_TIMEZONE == "Europe/London"
