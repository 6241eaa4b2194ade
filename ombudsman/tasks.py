"""Celery tasks: thin wrappers around the sweep and letter delivery."""

import logging

from celery import shared_task

from ombudsman import delivery, sweep

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def sweep_clocks():
    """Run the clock sweep (Celery beat schedules it every CLOCK_SWEEP_MINUTES)."""
    sweep.run()


@shared_task(ignore_result=True)
def deliver_letter(letter_id):
    """Deliver one letter (a no-op if it was sent or claimed meanwhile)."""
    delivery.deliver(letter_id)


@shared_task(ignore_result=True)
def deliver_letters(letter_ids):
    """Deliver the letters one batch of the sweep wrote; any this leaves pending, the sweep retries."""
    for letter_id in letter_ids:
        try:
            delivery.deliver(letter_id)
        except Exception:  # noqa: BLE001 - one letter must never hold up the others
            log.exception("Letter %s not delivered; the sweep will try it again", letter_id)
