from django.conf import settings


def provider(request):
    """Give every template the provider's details, from the one place they are set."""
    return {"provider": settings.PROVIDER, "site_url": settings.SITE_URL}
