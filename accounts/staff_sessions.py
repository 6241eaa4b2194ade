"""Staff sessions end sooner than customers': after STAFF_SESSION_IDLE_MINUTES without a
request, and STAFF_SESSION_MAX_HOURS after they began, whatever happens in between.

A staff session reads every customer's personal data; a laptop left open should not keep
it for the two weeks a customer's session lasts (Django's default, which customers keep).
The limits start at log in (``start``) and are checked where every staff page is let in:
``accounts.two_factor.is_verified`` calls ``within_limits``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone

STARTED_KEY = "staff_session_started"
SEEN_KEY = "staff_session_seen"
# The last-seen moment is written at most this often, not on every request.
SEEN_PRECISION_SECONDS = 60


def start(sender, request, user, **kwargs):
    """Start a staff session's clocks when it logs in (Django's user_logged_in signal)."""
    if user.is_staff and request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[STARTED_KEY] = request.session[SEEN_KEY] = now
        # The cookie and the stored session last as long as the session may stay idle.
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)


def within_limits(request):
    """Say whether the staff session may go on; if not, log it out and say why.

    An idle session has usually expired by itself already (its expiry is the idle time);
    this also ends one used all day, and one begun before the limits existed.
    """
    session, now = request.session, timezone.now().timestamp()
    idle, longest = settings.STAFF_SESSION_IDLE_MINUTES * 60, settings.STAFF_SESSION_MAX_HOURS * 3600
    started, seen = session.setdefault(STARTED_KEY, now), session.get(SEEN_KEY, now)
    if now - seen > idle or now - started > longest:
        logout(request)
        messages.info(request, "Your session ended, as staff sessions do after "
                               f"{settings.STAFF_SESSION_IDLE_MINUTES} minutes without use or "
                               f"{settings.STAFF_SESSION_MAX_HOURS} hours in all. Please log in again.")
        return False
    if SEEN_KEY not in session or now - seen >= SEEN_PRECISION_SECONDS:
        session[SEEN_KEY] = now
        session.set_expiry(idle)
    return True
