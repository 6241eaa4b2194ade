import pytest

from accounts.models import CustomerType, User


@pytest.mark.parametrize(("customer_type", "workers", "expected"), [
    (CustomerType.DOMESTIC, None, True),
    (CustomerType.BUSINESS, 1, True),
    (CustomerType.BUSINESS, 10, True),
    (CustomerType.BUSINESS, 11, False),
    (CustomerType.BUSINESS, None, False),
])
def test_adr_rights_follow_customer_type_and_business_size(customer_type, workers, expected):
    user = User(customer_type=customer_type, business_workers=workers)

    assert user.has_adr_rights is expected
