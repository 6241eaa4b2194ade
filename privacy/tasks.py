"""Celery tasks: thin wrappers around the retention job."""

from celery import shared_task

from privacy import retention


@shared_task(ignore_result=True)
def anonymise_expired():
    """Run the retention job (Celery beat schedules it daily)."""
    retention.anonymise_expired()
