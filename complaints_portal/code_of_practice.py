"""The published Code of Practice: its text, its layout, and free copies by email."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from complaints import outbox
from complaints.models import EmailKind, OutgoingEmail

# Enough for anyone who lost their copy; stops the form being used to flood an inbox.
COPIES_PER_ADDRESS_PER_DAY = 3

_SECTION = re.compile(r"^(?P<number>[IVX]+)\.\s+(?P<title>.+)$")
# "GoToMeeting: GoToMeeting is ...", "Plans: We offer ...": a short term leading a paragraph.
_LEAD = re.compile(r"^(?P<lead>[A-Z][^:.]{1,40}):\s+(?P<rest>\S.*)$")
_SUBHEADING_MAX_LENGTH = 70


def text():
    """Return the Code of Practice exactly as published."""
    path = Path(settings.BASE_DIR) / "templates" / "pages" / "code_of_practice.txt"
    return path.read_text(encoding="utf-8").strip()


def blocks(code_text):
    """Split the Code into blocks to lay out: its title, sections, sub-headings, paragraphs, addresses.

    The published text marks structure only by line: "I." to "VII." start sections, short
    lines without closing punctuation are sub-headings, and the lines after one ending in
    a colon that are not sentences are contact details, which keep their line breaks.
    """
    lines = [line.strip() for line in code_text.splitlines() if line.strip()]
    result = [{"kind": "title", "text": lines[0]}] if lines else []
    after_colon = False
    for line in lines[1:]:
        section = _SECTION.match(line)
        is_sentence = line.endswith((".", "?", "!", ":"))
        if after_colon and not section and not is_sentence:
            if result[-1]["kind"] != "address":
                result.append({"kind": "address", "lines": []})
            result[-1]["lines"].append(line)
            continue
        after_colon = line.endswith(":")
        if section:
            result.append({"kind": "section", "text": line, "anchor": f"section-{section['number'].lower()}"})
        elif not is_sentence and len(line) <= _SUBHEADING_MAX_LENGTH:
            result.append({"kind": "subsection", "text": line})
        else:
            lead = _LEAD.match(line)
            result.append({"kind": "paragraph", "text": lead["rest"] if lead else line,
                           "lead": lead["lead"] if lead else ""})
    return result


def copies_sent_recently(address, now=None):
    """Count the copies asked for by an email address in the last 24 hours."""
    since = (now or timezone.now()) - timedelta(hours=24)
    return OutgoingEmail.objects.filter(
        kind=EmailKind.CODE_OF_PRACTICE, to__iexact=address, created_at__gte=since
    ).count()


@transaction.atomic
def email_copy(*, to):
    """Queue a free copy of the Code of Practice to an email address."""
    code_text = text()
    return outbox.queue_email(
        kind=EmailKind.CODE_OF_PRACTICE, to=to, template="pages/email/code_of_practice",
        context={
            "code_text": code_text,
            "blocks": blocks(code_text),
            "code_url": outbox.absolute_url(reverse("code_of_practice")),
        },
    )
