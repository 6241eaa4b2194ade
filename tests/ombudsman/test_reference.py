"""Each process keeps the schemes and policies, and reads them again whenever any process changed them."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ombudsman.models import Scheme, WaitingPeriodPolicy


@pytest.fixture
def provider_scheme(db):
    return Scheme.objects.get(is_provider_scheme=True)


def test_the_provider_scheme_is_read_once_then_kept_while_nothing_changes(provider_scheme):
    Scheme.objects.provider_scheme()

    with CaptureQueriesContext(connection) as queries:
        assert Scheme.objects.provider_scheme().pk == provider_scheme.pk

    assert [query["sql"] for query in queries.captured_queries] == [
        'SELECT number FROM ombudsman_dataversion WHERE id = 1']


def test_a_change_shows_at_once_whichever_way_it_was_written(provider_scheme):
    Scheme.objects.provider_scheme()

    Scheme.objects.filter(pk=provider_scheme.pk).update(phone="0300 123 4567")
    assert Scheme.objects.provider_scheme().phone == "0300 123 4567"

    provider_scheme.refresh_from_db()
    provider_scheme.phone = "0300 765 4321"
    provider_scheme.save()
    assert Scheme.objects.provider_scheme().phone == "0300 765 4321"

    WaitingPeriodPolicy.objects.create(effective_from=date(2026, 6, 2), days=28)
    assert WaitingPeriodPolicy.days_for(date(2026, 6, 2)) == 28
    assert WaitingPeriodPolicy.days_for(date(2026, 6, 1)) == 56


def test_a_change_rolled_back_is_never_shown_even_after_a_later_change(provider_scheme):
    original = provider_scheme.phone
    with pytest.raises(RuntimeError), transaction.atomic():
        Scheme.objects.filter(pk=provider_scheme.pk).update(phone="0300 000 0000")
        assert Scheme.objects.provider_scheme().phone == "0300 000 0000"  # read, and kept, inside it
        raise RuntimeError("the admin's save failed")

    Scheme.objects.filter(pk=provider_scheme.pk).update(operator="Ombudsman Services")

    assert Scheme.objects.provider_scheme().phone == original


def test_changing_the_scheme_a_caller_was_given_changes_nothing_kept(provider_scheme):
    given = Scheme.objects.provider_scheme()
    given.phone = "0300 999 9999"

    assert Scheme.objects.provider_scheme().phone == provider_scheme.phone


def test_without_a_provider_scheme_there_is_none(provider_scheme):
    Scheme.objects.filter(pk=provider_scheme.pk).update(is_provider_scheme=False)

    assert Scheme.objects.provider_scheme() is None


def test_a_scheme_added_around_the_models_is_read_from_the_database(provider_scheme):
    Scheme.objects.provider_scheme()
    with connection.cursor() as cursor:
        # As a data migration's historical model or SQL would: the data version does not move.
        cursor.execute(
            "INSERT INTO ombudsman_scheme (slug, name, short_name, name_takes_the, short_name_takes_the, operator, "
            "website, phone, fax, email, postal_address, is_active, is_provider_scheme, referral_window_months, "
            "compliance_deadline, compliance_day_count, award_limit) VALUES ('services', 'Ombudsman Services', "
            "'Ombudsman Services', false, false, '', 'x.org', '1', '', '', 'PO Box 1', true, false, 12, 28, "
            "'calendar', 10000) RETURNING id")
        added = cursor.fetchone()[0]

    assert Scheme.objects.kept(added).name == "Ombudsman Services"
