"""count_each: several counts in one query, each what its queryset's count() says."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.counts import count_each
from complaints.models import Complaint, Event, Status
from tests.conftest import file_complaint


def test_each_count_is_its_querysets_count_read_in_one_query(customer, other_customer):
    for person in (customer, customer, other_customer):
        file_complaint(person)
    querysets = {
        "complaints": Complaint.objects.order_by("-received_at"),
        "dana": Complaint.objects.filter(customer=customer),
        "closed": Complaint.objects.filter(status=Status.RESOLVED),
        "events": Event.objects.all(),
    }

    with CaptureQueriesContext(connection) as queries:
        counts = count_each(**querysets)

    assert counts == {name: queryset.count() for name, queryset in querysets.items()}
    assert counts["complaints"] == 3 and counts["dana"] == 2 and counts["closed"] == 0
    assert len(queries) == 1
    assert "ORDER BY" not in queries[0]["sql"]


def test_a_slice_caps_its_count(customer):
    for _ in range(3):
        file_complaint(customer)

    assert count_each(capped=Complaint.objects.order_by("pk")[:2], whole=Complaint.objects.all()) == {
        "capped": 2, "whole": 3}
