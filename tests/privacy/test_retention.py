"""The retention job: which complaints it anonymises, and which it must leave alone."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from complaints import services as complaint_services
from complaints.models import Complaint
from mailin.models import InboundMessage, MailStatus
from ombudsman.models import Decision, Letter, Scheme
from privacy import retention, tasks
from privacy.models import Erasure, FileToDelete
from tests.privacy.conftest import at, refer, story, uk


def anonymised(complaint):
    return Erasure.objects.filter(complaint=complaint).exists()


def test_complaints_closed_less_than_the_retention_period_ago_are_kept(customer, agent):
    complaint = story(customer, agent, received=uk(2019, 3, 1, 10), closed=uk(2019, 6, 1, 12))
    with at(uk(2025, 5, 31, 12)):
        assert retention.anonymise_expired()["complaints"] == 0
    assert not anonymised(complaint)
    with at(uk(2025, 6, 1, 13)):
        assert retention.anonymise_expired()["complaints"] == 1
    assert anonymised(complaint)


def test_the_retention_period_is_a_setting(settings, customer, agent):
    settings.RETENTION_YEARS = 7
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 12))
    retention.anonymise_expired(now=uk(2025, 5, 1))
    assert not anonymised(complaint)
    retention.anonymise_expired(now=uk(2025, 6, 2))
    assert anonymised(complaint)


def test_withdrawn_complaints_are_anonymised_like_resolved_ones(customer, agent):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 12), withdraw=True)
    retention.anonymise_expired(now=uk(2025, 1, 1))
    assert anonymised(complaint)


def test_open_complaints_are_never_anonymised(customer, agent):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 12))
    with at(uk(2018, 7, 1)):
        complaint_services.reopen_complaint(complaint=complaint, actor=agent, reason="Dana rang again.")
    never_closed = story(customer, agent, received=uk(2017, 3, 1, 10))
    assert retention.anonymise_expired(now=uk(2026, 1, 1))["complaints"] == 0
    assert not anonymised(complaint) and not anonymised(never_closed)


@pytest.mark.parametrize(("months_ago", "erased"), [(11, False), (13, True)])
def test_never_while_the_adr_window_from_the_latest_letter_is_open(settings, customer, agent, months_ago, erased):
    # With no retention period at all, only the ADR window can hold the complaint back.
    settings.RETENTION_YEARS = 0
    now = uk(2026, 11, 20, 12)
    letter_at = now - relativedelta(months=months_ago)
    complaint = story(customer, agent, received=letter_at - relativedelta(months=1), letter=letter_at,
                      closed=letter_at + relativedelta(days=7))
    retention.anonymise_expired(now=now)
    assert anonymised(complaint) is erased


def test_the_adr_window_is_the_schemes_referral_window(customer, agent):
    # A scheme that gave customers seven years to refer: the letters quote it, and the job waits for it.
    Scheme.objects.filter(is_provider_scheme=True).update(referral_window_months=84)
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), letter=uk(2018, 5, 1, 10),
                      closed=uk(2018, 6, 1, 10))
    assert Letter.objects.get(complaint=complaint).refer_by == date(2025, 5, 1)
    retention.anonymise_expired(now=uk(2025, 5, 1, 23))
    assert not anonymised(complaint)
    retention.anonymise_expired(now=uk(2025, 5, 2, 0, 30))
    assert anonymised(complaint)


@pytest.mark.parametrize(("steps", "erased"), [
    ({}, False),
    ({"decision": Decision.UPHELD}, False),
    ({"decision": Decision.UPHELD, "accepted": True}, False),
    ({"decision": Decision.UPHELD, "accepted": True, "complied": True}, True),
    ({"decision": Decision.NOT_UPHELD, "accepted": True}, True),
    ({"decision": Decision.UPHELD, "rejected": True}, True),
])
def test_never_while_an_ombudsman_case_is_open(customer, agent, steps, erased):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), letter=uk(2018, 5, 1, 10))
    refer(complaint, customer, agent, on=date(2018, 6, 1), **steps)
    with at(uk(2018, 7, 1, 10)):
        complaint_services.change_status(complaint=complaint, to="resolved", actor=agent)
    retention.anonymise_expired(now=uk(2026, 1, 1))
    assert anonymised(complaint) is erased


def test_a_rerun_finds_nothing_more_to_do(old_complaint):
    assert retention.anonymise_expired(now=uk(2025, 1, 1))["complaints"] == 1
    assert retention.anonymise_expired(now=uk(2025, 1, 2))["complaints"] == 0
    assert Erasure.objects.count() == 1


def test_batches_cover_every_expired_complaint(settings, customer, agent):
    settings.RETENTION_BATCH = 2
    complaints = [story(customer, agent, received=uk(2018, 3, day, 10), closed=uk(2018, 6, day, 10))
                  for day in (1, 2, 3)]
    assert retention.anonymise_expired(now=uk(2025, 1, 1))["complaints"] == 3
    assert all(anonymised(complaint) for complaint in complaints)


def test_files_left_behind_by_a_crash_are_deleted_by_the_next_run(db):
    name = default_storage.save("attachments/2018/03/left-behind", ContentFile(b"%PDF-1.4"))
    FileToDelete.objects.create(name=name)
    assert retention.anonymise_expired()["files_deleted"] == 1
    assert not default_storage.exists(name) and not FileToDelete.objects.exists()


def test_the_management_command_runs_the_job_as_of_a_given_moment(old_complaint, capsys):
    call_command("anonymise_expired", "--now", "2024-05-31T12:00:00")
    assert not anonymised(old_complaint)
    call_command("anonymise_expired", "--now", "2025-01-01T12:00:00")
    assert anonymised(old_complaint)
    assert "Anonymised 1 complaint(s)" in capsys.readouterr().out


def test_celery_beat_runs_the_job_daily(old_complaint):
    assert settings.CELERY_BEAT_SCHEDULE["anonymise-expired"]["task"] == tasks.anonymise_expired.name
    tasks.anonymise_expired.delay()
    assert Complaint.objects.get(pk=old_complaint.pk).description == ""


def test_a_merged_duplicate_goes_only_after_the_complaint_it_was_merged_into(customer, agent):
    # Merged in 2019, so the duplicate's own closing is years before the survivor's.
    duplicate = story(customer, agent, received=uk(2019, 3, 1, 10))
    survivor = story(customer, agent, received=uk(2019, 3, 2, 10))
    with at(uk(2019, 3, 5, 10)):
        complaint_services.merge_complaints(survivor=survivor, duplicate=duplicate, actor=agent)
    with at(uk(2021, 6, 1, 12)):
        complaint_services.resolve_complaint(complaint=survivor, agent=agent, summary="Credited Dana £20.",
                                             upheld="partly", credit_amount=20)

    retention.anonymise_expired(now=uk(2026, 1, 1))
    assert not anonymised(duplicate) and not anonymised(survivor)

    retention.anonymise_expired(now=uk(2027, 6, 2))
    retention.anonymise_expired(now=uk(2027, 6, 2))
    assert anonymised(survivor) and anonymised(duplicate)


def test_mail_that_never_became_part_of_a_complaint_is_erased_after_the_retention_period(
        db, django_capture_on_commit_callbacks):
    raw = b"From: Someone <someone@example.com>\r\nSubject: Win a prize\r\n\r\nClick here.\r\n"

    def received(uid, arrived_at):
        return InboundMessage.objects.create(
            mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=uid, arrived_at=arrived_at, size=len(raw),
            raw=ContentFile(raw, name="message.eml"), from_address="someone@example.com", subject="Win a prize",
            status=MailStatus.DISMISSED)

    old, recent = received(1, uk(2019, 1, 10, 9)), received(2, uk(2024, 1, 10, 9))
    stored = old.raw.name

    with django_capture_on_commit_callbacks(execute=True):
        result = retention.anonymise_expired(now=uk(2025, 6, 1, 12))

    old.refresh_from_db()
    recent.refresh_from_db()
    assert result["emails_received"] == 1
    assert (old.raw.name, old.from_address, old.subject) == ("", "", "")
    assert not default_storage.exists(stored)
    assert recent.from_address == "someone@example.com" and default_storage.exists(recent.raw.name)
