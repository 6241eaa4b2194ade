"""The public pages: how to complain, the Code of Practice, and who to contact; the error pages."""

import sys

from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

import clock
from complaints.models import Product
from complaints_portal import code_of_practice as code
from complaints_portal.forms import CodeOfPracticeRequestForm
from complaints_portal.page_cache import same_for_every_visitor
from complaints_portal.ratelimit import rate_limit
from ombudsman.models import Scheme, WaitingPeriodPolicy

# The Code of Practice's key services, described in plain words; their names are the
# Product labels.
SERVICES = {
    Product.GOTOMEETING: "Online meetings with built-in audio, where you can share documents, "
                         "applications and your desktop.",
    Product.GOTOASSIST: "Remote support: screen sharing that lets support teams help their customers remotely.",
    Product.GOTOMYPC: "Remote access: connect to and control your own computer from anywhere with an "
                      "Internet connection.",
    Product.GOTOTRAINING: "Interactive online training sessions for customers and employees around the world.",
    Product.GOTOWEBINAR: "Do-it-yourself webinars with up to 1,000 attendees online.",
}


def website_url(address):
    """Turn a website as people write it ("www.example.com") into a link."""
    return address if address.startswith(("http://", "https://")) else f"https://{address}"


@same_for_every_visitor
def home(request):
    """Explain how to complain, what happens next, the waiting period and the way to the ombudsman."""
    days = WaitingPeriodPolicy.days_for(clock.uk_today())
    return render(request, "pages/home.html", {
        "scheme": Scheme.objects.provider_scheme(),
        "waiting_period": clock.period_in_words(days),
        "services": [(product.label, description) for product, description in SERVICES.items()],
    })


@rate_limit("code_copy")
def code_of_practice(request):
    """Publish the Code of Practice in full, and email a free copy to whoever asks."""
    form = CodeOfPracticeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        code.email_copy(to=email)
        messages.success(
            request, f"A free copy of the Code of Practice is on its way to {email}. It can take a few minutes."
        )
        # The form posts to its own fragment, which a redirect without one would keep:
        # return to the top, where the message is.
        return redirect(f"{reverse('code_of_practice')}#main")
    return render(request, "pages/code_of_practice.html", {"form": form, "blocks": code.blocks(code.text())})


@same_for_every_visitor
def contact(request):
    """List the contact details of the provider, its ADR scheme and the regulator."""
    return render(request, "pages/contact.html", {
        "scheme": Scheme.objects.provider_scheme(),
        "provider_website_url": website_url(settings.PROVIDER["website"]),
        "regulator_website_url": website_url(settings.REGULATOR["website"]),
    })


# Seconds a visitor (or a monitor) is asked to wait when the database is unreachable.
DATABASE_RETRY_AFTER = 30


def server_error(request):
    """Answer an uncaught exception: 503 with Retry-After if the database is unreachable, 500 otherwise.

    Django calls this while the exception is being handled. The pages are rendered without the
    request: the context processors would read the session, from the database that just failed.
    """
    context = {"provider": settings.PROVIDER}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return HttpResponseServerError(render_to_string("500.html", context))
