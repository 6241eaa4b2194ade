"""The sweep claims due complaints in sets: one claim, bulk inserts, one delivery task, a fallback.

A batch must write exactly what the row-by-row path writes (the letters' text and HTML, the
'written' events, the complaint's fields), and a batch that fails is undone and written one
row at a time, so one bad row still stops nothing.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CustomerType, PreferredContact, PreferredFormat
from complaints.models import Complaint, Event, EventKind
from ombudsman import letters, services, sweep, tasks
from ombudsman.models import Letter, LetterKind, LetterStatus, Scheme, SweepFailure, SweepStep
from tests.conftest import make_customer
from tests.ombudsman.conftest import file_due_complaint
from tests.ops.test_faults_sweep import refused_inserts
from tests.threads import at_once

postgres_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no concurrency to test",
)


@pytest.fixture
def varied_customers(customer, other_customer):
    """Customers whose letters take every variant: business names, no address, large print, post."""
    business = make_customer("o'neil@example.com", "Siobhán O'Neil & Sons <Ltd>", customer_type=CustomerType.BUSINESS,
                             business_name="O'Neil & Sons", business_workers=4, address="Unit 3 <rear>\n2 Quay & Dock",
                             postcode="BT1 1AA", preferred_contact=PreferredContact.POST)
    large = make_customer("lp@example.com", "Lee Print", address="9 Long Road", support_consent_at=timezone.now(),
                          preferred_format=PreferredFormat.LARGE_PRINT)
    return [customer, other_customer, business, large]


def written_events(complaint):
    return Event.objects.filter(complaint=complaint, kind=EventKind.LETTER, data__step="written")


def test_letters_written_as_a_set_are_the_letters_written_one_by_one(varied_customers):
    complaints = [file_due_complaint(person, days_ago=60 + index) for index, person in enumerate(varied_customers * 2)]
    batch = list(Complaint.objects.filter(pk__in=[c.pk for c in complaints]).select_related("customer").order_by("pk"))
    now = timezone.now()

    press = letters.Press(kind=LetterKind.ADR, now=now)
    as_a_set = press.write_many(batch)
    one_by_one = [letters.write(complaint=complaint, kind=LetterKind.ADR, now=now) for complaint in batch]

    assert len(press.variants) == 4  # each variant's templates rendered once, for two letters each
    for written, single in zip(as_a_set, one_by_one, strict=True):
        assert (written.text, written.html, written.large_print, written.delivery, written.to_email) == (
            single.text, single.html, single.large_print, single.delivery, single.to_email)
    business = as_a_set[2]
    assert "Siobhán O&#x27;Neil &amp; Sons &lt;Ltd&gt;, O&#x27;Neil &amp; Sons" in business.html
    assert "Unit 3 &lt;rear&gt;<br>2 Quay &amp; Dock" in business.html
    assert "Siobhán O'Neil & Sons <Ltd>, O'Neil & Sons\nUnit 3 <rear>\n2 Quay & Dock\nBT1 1AA" in business.text


def test_a_batch_is_claimed_by_one_update_and_written_by_one_insert_of_each(customer):
    complaints = [file_due_complaint(customer) for _ in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert sweep.write_adr_letters(sweep.Run(timezone.now())) == 5
    statements = [query["sql"] for query in queries.captured_queries]
    # One claim for the batch, and one that finds nothing left.
    assert sum(sql.startswith('UPDATE "complaints_complaint" SET adr_letter_pending') for sql in statements) == 2
    assert sum(sql.startswith('INSERT INTO "ombudsman_letter"') for sql in statements) == 1
    assert sum(sql.startswith('INSERT INTO "complaints_event"') for sql in statements) == 1
    assert Letter.objects.filter(complaint__in=complaints, kind=LetterKind.ADR).count() == 5


def test_claimed_rows_carry_all_their_letters_read_and_no_row_is_read_again(varied_customers):
    complaints = [file_due_complaint(person, days_ago=60 + index) for index, person in enumerate(varied_customers * 2)]
    now = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        assert sweep.write_adr_letters(sweep.Run(now)) == len(complaints)

    reads = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    # The customers once for the batch; no complaint or customer read again for a deferred field.
    assert sum('FROM "accounts_user"' in sql for sql in reads) == 1
    assert not any(sql.startswith('SELECT "complaints_complaint"') for sql in reads)
    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints]).select_related("customer"):
        alone = letters.write(complaint=complaint, kind=LetterKind.ADR, now=now)
        written = Letter.objects.get(complaint=complaint, kind=LetterKind.ADR)
        assert (written.text, written.html, written.delivery, written.to_email, written.reply_to) == (
            alone.text, alone.html, alone.delivery, alone.to_email, alone.reply_to)
        assert (written.scheme_details, written.refer_by, written.large_print, bytes(written.pdf)) == (
            alone.scheme_details, alone.refer_by, alone.large_print, b"")


def test_a_batch_records_what_a_letter_written_alone_records(customer, other_customer):
    alone = services.create_adr_letter(complaint=file_due_complaint(other_customer))
    in_a_set = [file_due_complaint(customer) for _ in range(3)]
    sweep.run()

    def recorded(letter):
        event = written_events(letter.complaint).get()
        complaint = Complaint.objects.get(pk=letter.complaint_id)
        return ((event.kind, event.summary, event.actor, event.visible_to_customer, event.body),
                {**event.data, "letter_id": event.data["letter_id"] == letter.pk},
                event.created_at >= letter.created_at,
                (complaint.adr_letter_pending, complaint.customer_told_at, complaint.refer_by) == (
                    False, letter.created_at, letter.refer_by))

    for complaint in in_a_set:
        assert recorded(Letter.objects.get(complaint=complaint)) == recorded(alone)


def test_a_batch_settles_without_a_letter_the_complaints_owed_none(customer, agent):
    deadlocked, no_rights, owed = (file_due_complaint(customer) for _ in range(3))
    services.declare_deadlock(complaint=deadlocked, actor=agent, reason="Our final position stands.")
    # Still pending, though owed no letter: the claim must settle them as create_adr_letter would.
    Complaint.objects.filter(pk__in=[deadlocked.pk, no_rights.pk]).update(adr_letter_pending=True)
    Complaint.objects.filter(pk=no_rights.pk).update(adr_rights=False)
    told = Complaint.objects.get(pk=deadlocked.pk).customer_told_at

    assert sweep.write_adr_letters(sweep.Run(timezone.now())) == 1

    assert list(Letter.objects.filter(kind=LetterKind.ADR).values_list("complaint_id", flat=True)) == [owed.pk]
    fields = ("adr_letter_pending", "customer_told_at", "refer_by")
    deadlock_letter = Letter.objects.get(kind=LetterKind.DEADLOCK)
    assert Complaint.objects.values_list(*fields).get(pk=deadlocked.pk) == (False, told, deadlock_letter.refer_by)
    assert Complaint.objects.values_list(*fields).get(pk=no_rights.pk) == (False, None, None)
    assert not written_events(no_rights).exists()


def test_a_batch_is_delivered_by_one_task_once_it_commits(customer, django_capture_on_commit_callbacks):
    for _ in range(3):
        file_due_complaint(customer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sweep.write_adr_letters(sweep.Run(timezone.now())) == 3
    assert len(callbacks) == 1
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.SENT}


def test_a_letter_that_fails_in_a_batchs_delivery_holds_up_none_of_the_others(customer,
                                                                             django_capture_on_commit_callbacks):
    complaints = [file_due_complaint(customer) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        sweep.write_adr_letters(sweep.Run(timezone.now()))
    bad = complaints[0]
    ids = sorted(Letter.objects.values_list("pk", flat=True))
    assert Letter.objects.get(pk=ids[0]).complaint_id == bad.pk

    # The first letter's 'emailed' event is refused, so its delivery raises after sending.
    with refused_inserts("complaints_event", f"NEW.complaint_id = {bad.pk} AND NEW.kind = 'letter'"):
        tasks.deliver_letters(ids)

    assert Letter.objects.get(complaint=bad).status == LetterStatus.PENDING  # the sweep tries it again
    assert {letter.status for letter in Letter.objects.exclude(complaint=bad)} == {LetterStatus.SENT}


def test_a_batch_with_a_bad_row_still_writes_the_others_and_records_the_failure(customer, settings):
    settings.CLOCK_SWEEP_BATCH = 10
    complaints = [file_due_complaint(customer) for _ in range(30)]
    bad = complaints[13]
    with refused_inserts("complaints_event", f"NEW.complaint_id = {bad.pk}"), CaptureQueriesContext(connection) as q:
        run = sweep.Run(timezone.now())
        assert sweep.write_adr_letters(run) == 29
    # Three batches of 10 went as sets; the bad row's (its letters inserted, its events refused)
    # was undone and written row by row.
    assert sum(query["sql"].startswith('INSERT INTO "ombudsman_letter"') for query in q.captured_queries) == 3 + 10

    assert not Letter.objects.filter(complaint=bad).exists()  # its letter was undone with its event
    assert Complaint.objects.get(pk=bad.pk).adr_letter_pending
    failure = SweepFailure.objects.get()
    assert (failure.step, failure.object_id) == (SweepStep.ADR_LETTER, bad.pk)
    assert "refused by the fault trigger" in run.errors[0]
    for complaint in complaints:
        if complaint != bad:
            assert Letter.objects.filter(complaint=complaint).count() == 1
            assert written_events(complaint).count() == 1

    sweep.run(now=failure.retry_at + timedelta(seconds=1))
    assert Letter.objects.filter(complaint=bad).count() == 1
    assert not SweepFailure.objects.exists()


def test_a_refused_letter_in_a_batch_is_written_by_none_and_leaves_its_complaint_owed(customer):
    complaints = [file_due_complaint(customer) for _ in range(3)]
    Scheme.objects.filter(is_provider_scheme=True).update(website="")
    record = sweep.run()
    assert record.counts["adr_letters"] == 0
    assert record.counts["failures"] == 3
    assert "website" in record.errors[0]
    assert not Letter.objects.exists()
    assert all(Complaint.objects.filter(pk__in=[c.pk for c in complaints]).values_list("adr_letter_pending", flat=True))


def test_only_whole_words_count_in_a_letters_check(customer):
    letter = services.create_adr_letter(complaint=file_due_complaint(customer))
    check = dict(complaint=letter.complaint, scheme=letter.scheme_details, letter_date=letter.letter_date,
                 refer_by=letter.refer_by)
    carefree = letter.text.replace("It is free for you", "It is carefree for you")
    assert letters.missing_elements(carefree, **check) == ["that the scheme is free"]
    assert letters.missing_elements(carefree + "\nAll free.", **check) == []


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_sweeps_at_once_share_a_backlog_and_write_each_letter_once(customer, settings):
    settings.CLOCK_SWEEP_BATCH = 20
    complaints = [file_due_complaint(customer) for _ in range(300)]
    settings.CLOCK_SWEEP_DELIVERY_SECONDS = 0

    def claim_in_a_thread(wait):
        wait()
        return sweep.write_adr_letters(sweep.Run(timezone.now()))

    written, errors = at_once(4, claim_in_a_thread)

    assert errors == []
    assert sum(written) == len(complaints)
    assert sorted(Letter.objects.filter(kind=LetterKind.ADR).values_list("complaint_id", flat=True)) == sorted(
        complaint.pk for complaint in complaints)
    written_for = Event.objects.filter(kind=EventKind.LETTER, data__step="written").values_list("complaint_id",
                                                                                              flat=True)
    assert sorted(written_for) == sorted(complaint.pk for complaint in complaints)
