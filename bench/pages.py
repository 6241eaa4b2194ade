"""Time staff pages through Django's test client, like the hello-world yardstick."""

import statistics
import time


def time_pages(client, email, pages, repeat, requests, warm=False):
    """Return rows of (name, median seconds a request, SQL queries a request) for ``pages``,
    (name, URL) pairs fetched as the staff member with ``email``, past the second factor.
    With ``warm``, each page is requested once first, unmeasured (to fill a cache)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.http import verify_staff_session

    user = get_user_model().objects.get(email=email)
    client.force_login(user)
    session = client.session
    enrolled = verify_staff_session(session, user)
    session.save()
    rows = []
    try:
        for name, url in pages:
            if warm:
                client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200, url
            queries = len(captured.captured_queries)

            def run(url=url):
                started = time.perf_counter()
                for _ in range(requests):
                    client.get(url)
                return (time.perf_counter() - started) / requests

            rows.append((name, statistics.median(run() for _ in range(repeat)), queries))
    finally:
        client.logout()
        if enrolled:
            enrolled.delete()
    return rows
