"""Celery tasks: thin wrappers that look rows up by id and call the outbox."""

from celery import shared_task

from complaints import outbox


@shared_task(ignore_result=True)
def deliver_email(email_id):
    """Deliver one outgoing email (a no-op if it was sent or claimed meanwhile)."""
    outbox.deliver(email_id)
