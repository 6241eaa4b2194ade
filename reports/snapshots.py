"""The report's tables, kept for a few minutes so the page and its CSV downloads rarely wait.

On a large portal the figures take most of a second to read (reports.figures), and every
manager sees the same ones. Each scope's tables are kept in the cache, with the moment
they were read, for REPORTS_CACHE_SECONDS; Celery beat reads the default report again well
before it expires, so managers opening the page find it ready. A manager may recalculate
a report at once (the page's button), and the page says how old its figures are.

The figures' part of the page (the tables and the charts' data) is rendered once, when they
are read, and kept with them: a page whose figures are kept renders only its filters.
"""

import logging
import pickle
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from redis import RedisError

from reports import report
from reports.periods import Period
from reports.queries import Scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """A scope's figures as read at one moment: the tables, and the page's figures rendered from them."""

    taken_at: datetime
    html: str
    # Pickled apart: the page shows only the HTML, and unpickling the tables on every visit
    # cost as much as a whole hello-world request.
    pickled_tables: bytes

    @property
    def tables(self):
        return pickle.loads(self.pickled_tables)


def _key(scope):
    # Under the code's version: a deploy never shows objects or markup older code made.
    return f"reports:snapshot:{settings.CODE_VERSION}:{scope.cache_key()}"


def take(scope, now=None, *, keep=True):
    """Read the scope's figures now, keep them (unless told not to), and return them."""
    now = now or timezone.now()
    tables = report.build_all(scope, now)
    html = render_to_string("reports/_figures.html", {
        "tables": tables, "chart_data": report.chart_data(tables), "query": scope.query(),
    })
    snapshot = Snapshot(now, html, pickle.dumps(tables, pickle.HIGHEST_PROTOCOL))
    if keep and settings.REPORTS_CACHE_SECONDS:
        try:
            cache.set(_key(scope), snapshot, settings.REPORTS_CACHE_SECONDS)
        except RedisError:
            # The figures are still right: the next visit reads them again.
            logger.warning("Report figures not kept: the cache is unavailable", exc_info=True)
    return snapshot


def latest(scope):
    """Return the scope's kept figures, reading them first if none are kept (or the cache is down)."""
    if not settings.REPORTS_CACHE_SECONDS:
        return take(scope)
    try:
        kept = cache.get(_key(scope))
    except RedisError:
        logger.warning("Report figures read afresh: the cache is unavailable", exc_info=True)
        return take(scope, keep=False)
    return kept or take(scope)


def refresh_default(now=None):
    """Read the report managers open first (every complaint, the last twelve weeks) again."""
    return take(Scope(period=Period.default(now)), now)
