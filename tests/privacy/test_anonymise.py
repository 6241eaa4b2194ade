"""Anonymising a complaint: exactly the personal data goes; dates, kinds, amounts and states stay."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from complaints import services as complaint_services
from complaints.models import (
    AppendOnlyError,
    Attachment,
    Complaint,
    EventKind,
    OutgoingEmail,
    PostalLetter,
    Status,
    Upheld,
)
from mailin.models import InboundMessage, MailStatus
from ombudsman.models import Decision, Letter, LetterKind, LetterStatus, Referral
from privacy import services
from privacy.models import Erasure
from tests.privacy.conftest import PERSONAL, at, mentions, refer, story, uk

NOW = uk(2025, 1, 15, 9)


def everything_about(complaint):
    """Serialise every row that belongs to a complaint, as one searchable text."""
    rows = [
        Complaint.objects.get(pk=complaint.pk), *complaint.events.all(), *complaint.attachments.all(),
        *complaint.emails.all(), *complaint.postal_letters.all(),
        *Letter.objects.filter(complaint=complaint).defer("pdf"), *Referral.objects.filter(complaint=complaint),
    ]
    return serializers.serialize("json", rows).casefold()


def facts(complaint):
    """What the figures need, which anonymisation must keep."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    return {
        "complaint": [complaint.tracking_number, complaint.received_at, complaint.closed_at, complaint.status,
                      complaint.product, complaint.category, complaint.channel, complaint.upheld,
                      complaint.credit_amount, complaint.refund_amount, complaint.adr_opens_at, complaint.deadlock_at],
        # By id: rows the anonymisation rewrote may come back in another order on PostgreSQL.
        "events": list(complaint.events.order_by("pk").values_list(
            "pk", "kind", "created_at", "actor", "visible_to_customer", "data")),
        "attachments": list(complaint.attachments.order_by("pk").values_list("pk", "content_type", "size",
                                                                             "uploaded_at")),
        "emails": list(complaint.emails.order_by("pk").values_list("pk", "kind", "status", "created_at", "sent_at",
                                                                   "message_id")),
        "letters": list(Letter.objects.filter(complaint=complaint).order_by("pk").values_list(
            "pk", "kind", "letter_date", "refer_by", "status", "delivery", "sent_at")),
    }


def test_the_personal_data_in_a_complaint_is_there_before_anonymisation(old_complaint):
    # The check below would prove nothing if the story never held the personal data.
    text = everything_about(old_complaint)
    assert all(mentions(text, item) for item in PERSONAL if item not in ("07700 900001", "LS1 1AA",
                                                                             "OS-2018-99"))


def test_anonymising_erases_the_personal_data_and_keeps_the_facts(old_complaint, django_capture_on_commit_callbacks):
    before = facts(old_complaint)
    with django_capture_on_commit_callbacks(execute=True):
        services.anonymise_complaint(complaint=old_complaint, now=NOW)

    text = everything_about(old_complaint)
    assert [item for item in PERSONAL if mentions(text, item)] == []
    after = facts(old_complaint)
    assert after["complaint"] == before["complaint"]
    assert after["attachments"] == before["attachments"]
    assert after["emails"] == before["emails"]
    assert after["letters"] == before["letters"]
    assert after["events"][: len(before["events"])] == before["events"]
    complaint = Complaint.objects.get(pk=old_complaint.pk)
    assert (complaint.status, complaint.upheld, complaint.credit_amount) == (
        Status.RESOLVED, Upheld.PARTLY, Decimal("20.00"))


def test_the_timeline_keeps_each_events_kind_as_its_words(old_complaint):
    services.anonymise_complaint(complaint=old_complaint, now=NOW)
    events = list(old_complaint.events.exclude(kind=EventKind.ERASED))
    assert events and all(event.summary == EventKind(event.kind).label and event.body == "" for event in events)


def test_the_erasure_is_recorded_in_a_row_and_on_the_timeline(old_complaint):
    letter = Letter.objects.get(complaint=old_complaint)
    sent_hash = letter.pdf_sha256
    erasure = services.anonymise_complaint(complaint=old_complaint, now=NOW)

    assert Erasure.objects.get(complaint=old_complaint) == erasure
    assert erasure.erased_at == NOW and erasure.retention_years == 6
    assert erasure.counts["attachments"] == 1 and erasure.counts["letters"] == 1
    assert erasure.letter_hashes == [{"letter_id": letter.pk, "kind": LetterKind.DEADLOCK,
                                      "letter_date": "2018-05-01", "pdf_sha256": sent_hash}]
    event = old_complaint.events.get(kind=EventKind.ERASED)
    assert event.summary == "Personal data erased after the retention period"
    assert event.visible_to_customer and event.created_at == NOW
    assert event.data["erasure_id"] == erasure.pk


def test_attachment_files_are_deleted_from_storage(old_complaint, django_capture_on_commit_callbacks):
    attachment = Attachment.objects.get(complaint=old_complaint)
    name = attachment.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.anonymise_complaint(complaint=old_complaint, now=NOW)
    assert not default_storage.exists(name)
    attachment.refresh_from_db()
    assert (attachment.file.name, attachment.original_name, attachment.sha256) == ("", "", "")


def test_a_sent_letter_keeps_a_pdf_saying_it_was_erased(old_complaint):
    letter = Letter.objects.get(complaint=old_complaint)
    assert letter.status == LetterStatus.SENT and letter.to_email
    services.anonymise_complaint(complaint=old_complaint, now=NOW)
    letter.refresh_from_db()
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF-")
    assert letter.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert "erased on 15 January 2025" in letter.text and "erased on 15 January 2025" in letter.html
    assert letter.to_email == ""


def test_letters_by_post_are_erased_too(customer, agent):
    customer.preferred_contact = "post"
    customer.save()
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    assert PostalLetter.objects.filter(complaint=complaint).count() >= 2
    services.anonymise_complaint(complaint=complaint, now=NOW)
    for letter in PostalLetter.objects.filter(complaint=complaint):
        assert "Dana" not in letter.html and "erased on 15 January 2025" in letter.html
        assert letter.pdf_sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()


def test_emails_lose_their_address_and_words_but_keep_kind_and_dates(old_complaint):
    services.anonymise_complaint(complaint=old_complaint, now=NOW)
    emails = OutgoingEmail.objects.filter(complaint=old_complaint)
    assert emails.exists()
    for email in emails:
        assert (email.to, email.subject, email.text_body, email.html_body) == ("", "", "", "")
        assert email.kind and email.created_at


def test_the_timeline_stays_append_only_outside_the_sanctioned_erasure(old_complaint):
    with pytest.raises(AppendOnlyError):
        old_complaint.events.update(body="")
    with pytest.raises(AppendOnlyError):
        old_complaint.events.first().delete()


def test_a_complaint_not_yet_due_is_refused(customer, agent):
    complaint = story(customer, agent, received=uk(2024, 3, 1, 10), closed=uk(2024, 6, 1, 10))
    with pytest.raises(services.NotErasable):
        services.anonymise_complaint(complaint=complaint, now=NOW)
    assert not Erasure.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).description


def test_other_complaints_are_untouched(old_complaint, other_customer, agent):
    others = story(other_customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2024, 6, 1, 10))
    services.anonymise_complaint(complaint=old_complaint, now=NOW)
    assert Complaint.objects.get(pk=others.pk).description == "Dana here: meetings drop after ten minutes."
    messages = others.events.filter(kind=EventKind.MESSAGE)
    assert messages.exists()
    assert all(event.body for event in messages)


def test_a_second_anonymisation_is_refused(old_complaint):
    services.anonymise_complaint(complaint=old_complaint, now=NOW)
    with pytest.raises(services.NotErasable):
        services.anonymise_complaint(complaint=old_complaint, now=NOW)
    assert old_complaint.events.filter(kind=EventKind.ERASED).count() == 1


def test_a_customer_with_several_complaints_keeps_the_newer_ones(customer, agent):
    old = story(customer, agent, received=uk(2018, 3, 1, 10), closed=uk(2018, 6, 1, 10))
    recent = story(customer, agent, received=uk(2023, 3, 1, 10), closed=uk(2023, 6, 1, 10))
    services.anonymise_complaint(complaint=old, now=NOW)
    assert Complaint.objects.get(pk=old.pk).description == ""
    assert Complaint.objects.get(pk=recent.pk).description


def test_the_ombudsman_case_loses_its_reference_and_free_text_but_keeps_its_outcome(customer, agent):
    complaint = story(customer, agent, received=uk(2018, 3, 1, 10), letter=uk(2018, 5, 1, 10))
    refer(complaint, customer, agent, on=date(2018, 6, 1), decision=Decision.UPHELD, accepted=True, complied=True)
    with at(uk(2018, 7, 1, 10)):
        complaint_services.change_status(complaint=complaint, to=Status.RESOLVED, actor=agent)
    services.anonymise_complaint(complaint=complaint, now=NOW)

    referral = Referral.objects.get(complaint=complaint)
    assert (referral.case_reference, referral.remedy_action) == ("", "")
    assert (referral.decision, referral.award_amount, referral.referred_on, referral.complied_on) == (
        Decision.UPHELD, Decimal("50.00"), date(2018, 6, 1), date(2018, 6, 1))
    text = everything_about(complaint)
    assert [item for item in PERSONAL if mentions(text, item)] == []


def test_anonymising_erases_the_emails_received_on_the_complaint(old_complaint, django_capture_on_commit_callbacks):
    raw = b"From: Dana <dana.customer@example.com>\r\nSubject: Account 4471\r\n\r\nMy son uses account 4471.\r\n"
    received = InboundMessage.objects.create(
        mailbox="portal@127.0.0.1/INBOX", uidvalidity=1, uid=7, arrived_at=uk(2018, 3, 2, 10), size=len(raw),
        raw=ContentFile(raw, name="message.eml"), message_id="<a@example.com>",
        from_address="dana.customer@example.com", subject="Account 4471", status=MailStatus.REPLY,
        complaint=old_complaint)
    stored = received.raw.name

    with django_capture_on_commit_callbacks(execute=True):
        services.anonymise_complaint(complaint=old_complaint, now=NOW)

    received.refresh_from_db()
    assert (received.raw.name, received.from_address, received.subject, received.message_id) == ("", "", "", "")
    assert not default_storage.exists(stored)
    assert received.arrived_at == uk(2018, 3, 2, 10)
