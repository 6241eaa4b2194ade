"""Desk workflows that span apps: logging a complaint for a customer who phoned or wrote in."""

from django.db import transaction

from complaints import services


@transaction.atomic
def log_complaint(*, agent, customer, **complaint):
    """Log a phone, email or letter complaint, saving the customer first if they are new.

    A new customer gets no password: they claim the record later by signing up with the
    same email address. ``complaint`` holds the arguments of ``file_complaint``; a date
    first complained before today needs ``backdate_reason``.
    """
    if customer._state.adding:
        customer.set_unusable_password()
        customer.save()
    return services.file_complaint(customer=customer, logged_by=agent, **complaint)
