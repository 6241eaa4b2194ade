from django.conf import settings

from accounts.models import ADR_MAX_BUSINESS_WORKERS


def provider(request):
    """Give every template the provider's and the regulator's details, from the one place they are set."""
    return {"provider": settings.PROVIDER, "regulator": settings.REGULATOR, "site_url": settings.SITE_URL}


def rules(request):
    """Give every page the numbers the rules set that pages quote, from their one constant."""
    return {"adr_max_business_workers": ADR_MAX_BUSINESS_WORKERS}
