"""The report's tables, kept for a few minutes so the page and its CSV downloads rarely wait.

On a large portal the figures take most of a second to read (reports.figures), and every
manager sees the same ones. Each scope's tables are kept in the cache, with the moment
they were read, for REPORTS_CACHE_SECONDS; Celery beat reads the default report again well
before it expires, so managers opening the page find it ready. A manager may recalculate
a report at once (the page's button), and the page says how old its figures are.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis import RedisError

from reports import report
from reports.periods import Period
from reports.queries import Scope

# Kept snapshots are pickled: bump this when Snapshot or reports.tables' classes change
# shape, or the tables gain a column (2: goodwill apart from redress), so a deploy never shows the
# previous version's objects.
KEY_VERSION = 2

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    tables: dict
    taken_at: datetime


def _key(scope):
    return f"reports:snapshot:{KEY_VERSION}:{scope.cache_key()}"


def take(scope, now=None, *, keep=True):
    """Read the scope's figures now, keep them (unless told not to), and return them."""
    now = now or timezone.now()
    snapshot = Snapshot(report.build_all(scope, now), now)
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
