"""The retention job: Celery beat runs it daily, ``anonymise_expired`` on demand.

Rows are claimed in batches with ``SELECT ... FOR UPDATE SKIP LOCKED`` so two runs share
the work instead of repeating it; each complaint is anonymised in a savepoint, so one that
fails is reported and skipped without undoing the others. Rerunning after a crash is safe:
an anonymised complaint has its Erasure row and is never selected again, and files left
undeleted are still listed in the database.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from privacy import rules, services

log = logging.getLogger(__name__)


def _in_batches(queryset_for, anonymise, errors):
    """Claim and anonymise rows batch by batch until none is left; return how many were done."""
    done, failed = 0, set()
    while True:
        with transaction.atomic():
            batch = list(
                queryset_for().exclude(pk__in=failed)
                .select_for_update(skip_locked=True, of=("self",))[: settings.RETENTION_BATCH]
            )
            if not batch:
                return done
            for row in batch:
                try:
                    anonymise(row)
                except Exception as exc:  # noqa: BLE001 - one failure must not hold back the rest
                    failed.add(row.pk)
                    errors.append(f"{row}: {type(exc).__name__}: {exc}")
                    log.exception("Could not anonymise %s", row)
                else:
                    done += 1


def anonymise_expired(now=None):
    """Anonymise every complaint past its retention period, then customers with nothing left.

    Return the counts and any errors.
    """
    now = now or timezone.now()
    errors = []
    result = {"files_deleted": services.delete_pending_files()}
    result["complaints"] = _in_batches(
        lambda: rules.expired_complaints(now),
        lambda complaint: services.anonymise_complaint(complaint=complaint, now=now), errors,
    )
    result["emails_received"] = services.erase_unattached_mail(now=now)
    # Sign-ups whose address was never confirmed: their details last no longer than the link.
    result["unconfirmed_sign_ups"] = account_services.purge_stale_sign_ups(now=now, limit=None)
    result["customers"] = _in_batches(
        rules.customers_to_erase, lambda customer: services.anonymise_customer(customer=customer, now=now), errors,
    )
    result["errors"] = errors
    log.info("Retention run as of %s: %s", now.isoformat(), result)
    return result
