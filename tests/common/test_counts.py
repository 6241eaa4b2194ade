"""count_each: several counts in one query, each what its queryset's count() says."""

import pytest
from django.db import connection
from django.db.models import Count
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


def test_a_slice_caps_its_count_and_is_counted_without_its_order(customer):
    for _ in range(3):
        file_complaint(customer)

    with CaptureQueriesContext(connection) as queries:
        counts = count_each(capped=Complaint.objects.order_by("-received_at")[:2], whole=Complaint.objects.all())

    assert counts == {"capped": 2, "whole": 3}
    assert "ORDER BY" not in queries[0]["sql"] and "LIMIT 2" in queries[0]["sql"]


def test_a_queryset_that_matches_nothing_counts_zero(customer):
    file_complaint(customer)

    assert count_each(none=Complaint.objects.none(), no_ids=Complaint.objects.filter(pk__in=[]),
                      all=Complaint.objects.all()) == {"none": 0, "no_ids": 0, "all": 1}


def test_groups_and_distinct_values_are_refused_not_miscounted(customer):
    for _ in range(2):
        file_complaint(customer)

    for name, queryset in {
        "groups": Complaint.objects.values("status").annotate(n=Count("pk")),
        "distinct": Complaint.objects.values_list("status").distinct(),
        "values": Complaint.objects.values("status"),
    }.items():
        with pytest.raises(ValueError, match="counts rows"):
            count_each(**{name: queryset})
