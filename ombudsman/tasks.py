"""Celery tasks: thin wrappers around the sweep and letter delivery."""

from celery import shared_task

from ombudsman import delivery, sweep


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
        delivery.deliver(letter_id)
