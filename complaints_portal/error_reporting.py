"""Error reporting to Sentry: settings.py calls ``init_error_reporting`` only when SENTRY_DSN is set."""

import sentry_sdk


def init_error_reporting(*, dsn, environment, release=None, transport=None):
    """Report unhandled errors of requests and Celery tasks, and ERROR log lines, to Sentry.

    Sentry turns on its Django, Celery and logging integrations by itself. Complaints hold
    personal data, so nothing identifying leaves with an error: no user, cookies, IP address,
    request body, task arguments or local variables of the stack frames. ``release`` None lets
    Sentry work it out; ``transport`` is for tests.
    """
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        transport=transport,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )
