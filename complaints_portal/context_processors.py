from django.conf import settings


def provider(request):
    """Give every template the provider's and the regulator's details, from the one place they are set."""
    return {"provider": settings.PROVIDER, "regulator": settings.REGULATOR, "site_url": settings.SITE_URL}
