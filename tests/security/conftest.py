"""The real objects the access matrix tests fill every URL's arguments with."""

import pytest

from tests.security.matrix import build_world


@pytest.fixture
def world(customer, other_customer, agent, manager):
    """Real objects to fill every URL's arguments: a complaint with a file, letters, a referral."""
    return build_world(customer, other_customer, agent, manager)
