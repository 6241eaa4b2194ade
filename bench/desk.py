"""The agents' desk on the benchmark dataset: the complaint list and one complaint's page.

Each page is fetched as the demo agent through Django's test client, like the hello-world
yardstick, so the figures compare directly. The number of SQL queries is shown too: it
must not grow with the page size or the dataset.
"""

from bench.pages import time_pages

LIST_URL = "/admin/complaints/complaint/"


def desk_pages():
    """Return (name, URL) for the pages measured."""
    from complaints.models import Complaint, Status
    from desk.queue import View

    # A complaint in deadlock has a long timeline and a letter: a page with everything on it.
    complaint = Complaint.objects.filter(status=Status.DEADLOCK).order_by("pk").first()
    typed = complaint.tracking_number.lower().replace("-", "")
    return [
        ("Agents' complaint list as it opens: the agent's own queue (Mine), 50 a page", LIST_URL),
        *((f"The queue's view \"{label}\"", f"{LIST_URL}?view={value}")
          for value, label in View.choices if value != View.MINE),
        ("The list of all complaints, open and closed, page 20", f"{LIST_URL}?status=all&p=20"),
        ("The list searched by a tracking number typed lower case without dashes", f"{LIST_URL}?q={typed}"),
        ("The list searched by a common surname (\"Smith\")", f"{LIST_URL}?q=Smith"),
        ("The list filtered: my complaints due within 7 days", f"{LIST_URL}?agent=me&clock=7"),
        ("The list filtered: vulnerable customers, ADR-eligible", f"{LIST_URL}?vulnerable=yes&adr_eligible=yes"),
        (f"One complaint's page ({complaint.events.count()} timeline events, a letter)",
         f"{LIST_URL}{complaint.pk}/change/"),
    ]


def time_desk(client, repeat, requests=10):
    """Return rows of (name, median seconds a request, SQL queries a request) for the desk's pages."""
    return time_pages(client, "agent@example.com", desk_pages(), repeat, requests)
