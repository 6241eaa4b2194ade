"""A complaint's timeline as its customer reads it, rendered once and kept.

Events are append-only, so an event rendered once reads the same on every later visit: a page
renders only the events that are new since the timeline was kept, and appends them. What
the kept HTML depends on besides the events is part of its key's fingerprint: the code's
version, the complaint's customer, number and date received (which some events quote), the
duplicates merged into it, and the words of the scheme its ombudsman events name. It is
rendered afresh when an event arrives out of order (a transaction that committed after a
later one) or personal data has been erased, the one change ever made to events in place;
and privacy's anonymisation forgets it outright (``forget``), so no personal data stays.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from redis import RedisError

from complaints.models import EventKind

log = logging.getLogger(__name__)

# A timeline not looked at for this long is rendered afresh at the next visit.
KEEP_SECONDS = 30 * 24 * 60 * 60
CUSTOMER = "customer"


def _key(complaint_id, audience):
    return f"timeline:{audience}:{complaint_id}"


def forget(complaint):
    """Drop what is kept of the timelines that show a complaint's events: its personal data is being erased.

    A duplicate's events show on the timeline of the complaint it was merged into.
    """
    cache.delete_many([_key(pk, CUSTOMER) for pk in (complaint.pk, complaint.merged_into_id) if pk])


class CustomerTimeline:
    """The customer's timeline of a complaint and its merged duplicates, for one page."""

    def __init__(self, *, complaint, events, attachments, duplicates):
        self.complaint, self.events, self.duplicates = complaint, events, duplicates
        self.attachments_by_event = {}
        for attachment in attachments:
            self.attachments_by_event.setdefault(attachment.event_id, []).append(attachment)

    def html(self, *, scheme):
        """Return the timeline's items, rendering only the events not kept from an earlier page."""
        key = _key(self.complaint.pk, CUSTOMER)
        fingerprint = [
            settings.CODE_VERSION, self.complaint.customer_id, self.complaint.tracking_number,
            self.complaint.received_at.isoformat(),
            sorted((duplicate.pk, duplicate.tracking_number) for duplicate in self.duplicates.values()),
            scheme.short_name_in_sentence if scheme else None,
        ]
        ids = [event.pk for event in self.events]
        try:
            kept = cache.get(key)
        except RedisError:
            log.warning("Timeline cache unreachable: rendering complaint %s", self.complaint.pk, exc_info=True)
            return mark_safe(self._render(self.events, scheme))
        if kept and kept["fingerprint"] == fingerprint and ids[: len(kept["ids"])] == kept["ids"]:
            new = self.events[len(kept["ids"]):]
            if not new:
                return mark_safe(kept["html"])
            if not any(event.kind == EventKind.ERASED for event in new):
                html = kept["html"] + self._render(new, scheme)
                self._keep(key, fingerprint, ids, html)
                return mark_safe(html)
        html = self._render(self.events, scheme)
        self._keep(key, fingerprint, ids, html)
        return mark_safe(html)

    def _render(self, events, scheme):
        items = [(event, self.attachments_by_event.get(event.pk, []), self.duplicates.get(event.complaint_id))
                 for event in events]
        return render_to_string("complaints/_timeline_items.html", {
            "timeline": items, "complaint": self.complaint, "scheme": scheme,
        })

    def _keep(self, key, fingerprint, ids, html):
        try:
            cache.set(key, {"fingerprint": fingerprint, "ids": ids, "html": html}, KEEP_SECONDS)
        except RedisError:
            log.warning("Timeline cache unreachable: complaint %s not kept", self.complaint.pk, exc_info=True)
