"""Read what a customer (or anyone) would read: the text of pages, emails, letters and PDFs.

``leftovers`` finds template text that reached a reader: Django's tags, comments and
variables left unrendered, and variables that were missing (rendered as ``MISSING`` while
``strict_templates`` is on). ``readable`` and ``pdf_text`` turn HTML and PDFs into the words
a person sees, so that a sentence can be checked as it reads.
"""

import copy
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

# What a variable the template could not find renders as, with its name (string_if_invalid).
MISSING = "@@missing: %s@@"
MISSING_PATTERN = re.compile(r"@@missing: [^@]*@@")
# Template syntax that must never reach a reader.
SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


@pytest.fixture
def strict_templates(settings):
    """Render templates with a marker for every variable they cannot find."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0].setdefault("OPTIONS", {})["string_if_invalid"] = MISSING
    settings.TEMPLATES = templates


def _is_data(value):
    """Say whether an attribute's value is JSON data for a script (a ``data-*`` payload)."""
    if value[:1] not in "[{":
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


# Elements that start a new line when a page is read: their text never runs into the next one's.
BLOCKS = {"p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "section",
          "ul", "ol", "dl", "table", "caption", "header", "footer", "main", "nav", "summary", "details", "title"}


class _Reader(HTMLParser):
    """Collect what a page shows or says: its text, its attributes (titles, labels, links),
    its comments, but not the JSON data a page hands its scripts."""

    def __init__(self, *, attributes=True):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.attributes = attributes
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._in_data = ("type", "application/json") in attrs or not self.attributes
        if self.attributes:
            self.parts.extend(value for _name, value in attrs if value and not _is_data(value))
        elif tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in_data = False
        if not self.attributes and tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._in_data:
            self.parts.append(data)

    def handle_comment(self, data):
        self.parts.append(data)


def readable(page):
    """Return the words of an HTML page (text and attributes), whitespace collapsed."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return " ".join(" ".join(reader.parts).split())


def page_text(page):
    """Return the text a person reads on an HTML page (no attributes, scripts or styles), as sentences read."""
    if not isinstance(page, str):
        page = page.content.decode()
    reader = _Reader(attributes=False)
    reader.feed(page)
    reader.close()
    return " ".join("".join(reader.parts).split())


def words(text):
    """Return plain text with its whitespace collapsed, as a sentence reads."""
    return " ".join(text.split())


def pdf_text(pdf):
    """Return the words of a PDF, as pdftotext (poppler-utils) reads them."""
    if shutil.which("pdftotext") is None:
        pytest.skip("reading a PDF needs pdftotext (poppler-utils)")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=bytes(pdf), capture_output=True, check=True)
    return words(result.stdout.decode())


def leftovers(text):
    """Return each piece of template text in ``text`` (plain text, or an HTML page's words), in context."""
    found = []
    for match in re.finditer("|".join([MISSING_PATTERN.pattern, *(re.escape(syntax) for syntax in SYNTAX)]), text):
        found.append(text[max(0, match.start() - 60):match.end() + 60])
    return found
