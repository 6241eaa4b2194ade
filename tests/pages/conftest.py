import pytest

from ombudsman.models import Scheme


@pytest.fixture
def provider_scheme(db):
    """The provider's scheme, as the ombudsman app's data migration seeds it."""
    return Scheme.objects.get(is_provider_scheme=True)
