"""Saved replies: the placeholders they may use, and their texts filled in for one complaint.

A manager's text is never run as a template. Filling replaces exactly the tokens listed in
``PLACEHOLDERS`` (``{customer_name}`` and so on), in one pass, with values read from the
complaint, the clock and the provider's ADR scheme; everything else, braces included, stays
as typed.
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from desk.models import SavedReply
from ombudsman.letters import uk_date
from ombudsman.models import Scheme

# The one list of placeholders: what a manager may write, and what each is filled with.
PLACEHOLDERS = {
    "customer_name": "the customer's name",
    "tracking_number": "the complaint's tracking number",
    "adr_date": "the date the customer may take the complaint to the ombudsman if it is not resolved, "
                "such as “14 February 2027”",
    "waiting_period": "how long the customer waits for our final answer before they may go to the ombudsman, "
                      "such as “8 weeks”",
    "scheme_name": "the ombudsman scheme we belong to, as a sentence says it, with “the” where its name "
                   "needs one, such as “the Office of the Telecommunications Ombudsman (Otelo)”",
    "scheme_website": "the ombudsman scheme's website",
    "scheme_phone": "the ombudsman scheme's phone number",
    "agent_name": "the name of the agent inserting the reply",
}

# What reads as a placeholder: a name in single braces. "{0}", "{{ x }}" or "{% x %}" do not.
TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def tokens():
    """Return the placeholders as written in a reply, each with what it is filled with."""
    return [(f"{{{name}}}", description) for name, description in PLACEHOLDERS.items()]


def check(body):
    """Refuse a body naming a placeholder that is not in ``PLACEHOLDERS``."""
    unknown = list(dict.fromkeys(name for name in TOKEN.findall(body) if name not in PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            "%(unknown)s %(is_not)s a placeholder. The placeholders are %(valid)s.",
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "is_not": "is not" if len(unknown) == 1 else "are not",
                "valid": ", ".join(token for token, _ in tokens()),
            },
        )


def placeholder_values(complaint, *, agent):
    """Return what each placeholder is filled with for this complaint and agent.

    Without an active provider's scheme its placeholders are left out, so they stay as typed
    and the agent sees what to write before sending.
    """
    values = {
        "customer_name": complaint.customer.full_name,
        "tracking_number": complaint.tracking_number,
        "adr_date": uk_date(complaint.adr_deadline_date),
        "waiting_period": complaint.waiting_period_words,
        "agent_name": agent.full_name,
    }
    scheme = Scheme.objects.provider_scheme()
    if scheme is not None:
        values.update(scheme_name=scheme.name_in_sentence, scheme_website=scheme.website, scheme_phone=scheme.phone)
    return values


def fill(body, values):
    """Return ``body`` with each placeholder replaced by its value, in one pass.

    A value that itself looks like a placeholder is not filled again; anything not a known
    placeholder is left exactly as typed.
    """
    return TOKEN.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def for_complaint(complaint, *, agent):
    """Return the active saved replies by title, each filled in for this complaint and agent."""
    values = placeholder_values(complaint, agent=agent)
    replies = SavedReply.objects.filter(is_active=True).order_by("title").only("title", "body")
    return [{"id": reply.pk, "title": reply.title, "text": fill(reply.body, values)} for reply in replies]


def save_saved_reply(*, reply, actor):
    """Check a saved reply and save it, recording who wrote and last changed it."""
    if reply.pk is None:
        reply.created_by = actor
    reply.updated_by = actor
    reply.updated_at = timezone.now()
    reply.full_clean()
    reply.save()
    return reply
