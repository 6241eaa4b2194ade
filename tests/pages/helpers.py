import html
import re

from django.utils.html import strip_tags


def page_text(response):
    """Return what a reader sees of a page: its text without tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def squash(text):
    return re.sub(r"\s+", " ", text).strip()
