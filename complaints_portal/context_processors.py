from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.models import ADR_MAX_BUSINESS_WORKERS
from ombudsman.models import Scheme


def provider(request):
    """Give every template the provider's and the regulator's details, from the one place they are set,
    and the provider's ADR scheme (read from the database only by a page that names it)."""
    return {"provider": settings.PROVIDER, "regulator": settings.REGULATOR, "site_url": settings.SITE_URL,
            "provider_scheme": SimpleLazyObject(Scheme.objects.provider_scheme)}


def rules(request):
    """Give every page the numbers the rules set that pages quote, from their one constant."""
    return {"adr_max_business_workers": ADR_MAX_BUSINESS_WORKERS}
