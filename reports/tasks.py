"""Celery tasks: thin wrappers around the reports' services."""

from celery import shared_task

from reports import services, snapshots


@shared_task(ignore_result=True)
def send_weekly_digest():
    """Email managers the weekly digest (Celery beat, Monday mornings)."""
    services.send_weekly_digest()


@shared_task(ignore_result=True)
def refresh_default_report():
    """Read the default report's figures again, so managers find them ready (Celery beat)."""
    snapshots.refresh_default()
