"""The managers' reports page on the benchmark dataset, with its default period and filtered.

Fetched as the demo manager through Django's test client, like the hello-world yardstick,
so the figures compare directly. The target is under one second a page with a million
complaints; the number of SQL queries must not grow with the dataset. Each page is timed
reading its figures afresh (REPORTS_CACHE_SECONDS=0: a first visit, or "Recalculate now"),
and the default page also with its figures kept (reports.snapshots), as managers mostly see it.
"""

from bench.pages import time_pages

URL = "/reports/"


def report_pages():
    """Return (name, URL) for the pages measured."""
    from accounts.models import User
    from complaints.models import Product
    from reports.periods import Period

    default = Period.default()
    agent = User.objects.get(email="agent@example.com")
    return [
        (f"Reports page, default period ({default.first:%-d %b} to {default.last:%-d %b})", URL),
        ("Reports page, one product", f"{URL}?product={Product.GOTOMEETING}"),
        ("Reports page, one agent's complaints", f"{URL}?agent={agent.pk}"),
    ]


def time_reports(client, repeat, requests=3):
    """Return rows of (name, median seconds a request, SQL queries a request) for the reports page."""
    from django.test.utils import override_settings

    pages = report_pages()
    with override_settings(REPORTS_CACHE_SECONDS=0):
        afresh = time_pages(client, "manager@example.com", pages, repeat, requests)
    name, url = pages[0]
    kept = time_pages(client, "manager@example.com", [(f"{name}, figures kept", url)], repeat, requests, warm=True)
    return afresh + kept
