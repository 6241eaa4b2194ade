"""Reading a message from the mailbox: who sent it, whether a server vouches for them, whether a
machine wrote it, what it answers, and its words and files as a complaint's timeline takes them.

Nothing here trusts the message: every header and part is read defensively, and what cannot
be read is reported (``Reading.unreadable``), never raised. The text is plain text only: HTML
is never shown on a timeline, only stripped of its tags for an agent who asks.
"""

import email
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from complaints.models import OutgoingEmail
from complaints.tracking import normalise_tracking_number
from complaints.uploads import check_upload
from ombudsman.models import Letter

# The headers of even a huge message are in its first part; the rest is never parsed for them.
HEADER_BYTES = 256 * 1024
# The longest text a timeline takes, as the web forms' (the original keeps the rest).
MAX_TEXT = 10_000
# How many of the message ids a message answers are looked up (long threads name dozens).
MAX_REFERENCES = 20
# The headers the review page shows first; the rest follow.
MAIN_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
                "Return-Path", "Auto-Submitted", "Precedence", "Authentication-Results")

# Defects that leave no headers or no parts to read (email.errors).
BROKEN = {"MissingHeaderBodySeparatorDefect", "NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect",
          "MultipartInvariantViolationDefect"}

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
_TRACKING = re.compile(r"\bLM[I1L][\s_.-]*[0-9A-Z]{4}[\s_.-]*[0-9A-Z]{4}\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PROPERTY = re.compile(r'([\w.-]+(?:/\d+)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)')
_ORIGINAL = re.compile(r"^-{2,}\s*original message\s*-{2,}$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\*?from:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\*?(sent|date):\*?\s", re.IGNORECASE)
_RULE = re.compile(r"^_{10,}$")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def clean(text):
    """Return header or body text safe to store: no undecodable bytes, no control characters."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # surrogates from undecodable bytes
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _header(message, name):
    """Return a header's value as text, or "" when it is missing or cannot be read."""
    try:
        value = message[name]
        return "" if value is None else " ".join(clean(str(value)).split())
    except Exception:  # noqa: BLE001 - a malformed header reads as none
        return ""


def _sender(message):
    """Return (address, display name) of the single From address, lower-cased; ("", "") if not one."""
    try:
        addresses = message["From"].addresses if message["From"] is not None else ()
    except Exception:  # noqa: BLE001 - a malformed From header names nobody
        return "", ""
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        return "", ""
    address = addresses[0]
    return clean(address.addr_spec).lower()[:254], " ".join(clean(address.display_name).split())[:200]


def _headers_of(raw):
    return BytesParser(policy=policy.default).parsebytes(raw[:HEADER_BYTES], headersonly=True)


def summary(raw_bytes):
    """Return the message's Message-ID, sender's address (lower case, the address only) and subject.

    Read from its headers alone (a huge message's body is never parsed); a header that cannot
    be read is empty.
    """
    headers = _headers_of(raw_bytes)
    return {"message_id": _header(headers, "Message-ID")[:998], "from_address": _sender(headers)[0],
            "subject": _header(headers, "Subject")[:300]}


def headers(raw_bytes):
    """Return the message's headers as (name, value) pairs, the main ones first, for staff to read."""
    parsed = _headers_of(raw_bytes)
    present = {}  # lower-cased name: the name as first written
    for name in parsed:
        present.setdefault(clean(name).lower(), clean(name))
    first = [name for name in MAIN_HEADERS if name.lower() in present]
    rest = [name for lower, name in present.items() if lower not in {main.lower() for main in MAIN_HEADERS}]
    pairs = []
    for name in [*first, *rest]:
        try:
            values = parsed.get_all(name) or []
        except Exception:  # noqa: BLE001 - shown as unreadable rather than not at all
            values = ["(unreadable)"]
        pairs += [(name, " ".join(clean(str(value)).split())) for value in values]
    return pairs


@dataclass
class Reading:
    """What a message says, as the portal reads it."""

    message_id: str = ""
    from_address: str = ""
    from_name: str = ""
    subject: str = ""
    references: list = field(default_factory=list)  # the message ids it answers, nearest first
    tracking_number: str = ""  # a valid one in the subject
    bad_tracking_number: str = ""  # what looks like one in the subject but fails its check
    automatic: str = ""  # why a machine sent it, if one did
    authenticated: str = ""  # the trusted result that vouches for the sender, if one does
    unreadable: str = ""  # why its content cannot be read, if it cannot
    text: str = ""  # the plain text, quoted history and signature trimmed
    html_only: bool = False
    html_text: str = ""  # an HTML-only message's words, tags stripped: for agents who ask only
    attachments: list = field(default_factory=list)  # checked UploadedFiles
    refused: list = field(default_factory=list)  # why files were refused, one sentence each

    @property
    def sender_domain(self):
        return self.from_address.rpartition("@")[2]


def read(raw_bytes):
    """Read a whole message; never raises: what cannot be read is said in ``unreadable``."""
    reading = Reading()
    try:
        message = email.message_from_bytes(raw_bytes, policy=policy.default)
        reading.message_id = _header(message, "Message-ID")[:998]
        reading.from_address, reading.from_name = _sender(message)
        reading.subject = _header(message, "Subject")[:300]
        reading.references = _references(message)
        reading.tracking_number, reading.bad_tracking_number = _tracking_number(reading.subject)
        reading.automatic = automatic(message, reading.from_address)
        reading.authenticated = authenticated(message, reading.sender_domain)
        _read_content(message, reading)
    except Exception as exc:  # noqa: BLE001 - whatever breaks the parser, the message waits for review
        reading.unreadable = f"it could not be parsed ({type(exc).__name__})"
    return reading


def _references(message):
    """Return the message ids this message answers: In-Reply-To's, then References' nearest first."""
    found = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    found += reversed(_MESSAGE_ID.findall(_header(message, "References")))
    return list(dict.fromkeys(found))[:MAX_REFERENCES]


def _tracking_number(subject):
    """Return (a valid tracking number in the subject, or "", what looked like one and failed its check)."""
    bad = ""
    for match in _TRACKING.finditer(subject):
        canonical = normalise_tracking_number(match.group(0))
        if canonical:
            return canonical, ""
        bad = bad or match.group(0)
    return "", bad


# --- automatic mail (RFC 3834) and bounces: never answered, never a complaint -------------------------


def automatic(message, from_address):
    """Say why a machine sent this message (an auto-reply, a bounce, a mailing list), or ""."""
    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return f"Automatic mail (Auto-Submitted: {auto_submitted})."
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Bulk or list mail (Precedence: {precedence})."
    for name in ("List-Id", "List-Unsubscribe"):
        if _header(message, name):
            return f"Mailing-list mail ({name})."
    if message.get_content_type() == "multipart/report":
        kind = message.get_param("report-type") or "unknown"
        return f"A report from a mail server (multipart/report; report-type={clean(str(kind))[:40]})."
    if from_address.partition("@")[0] in ("mailer-daemon", "postmaster"):
        return f"A bounce from {from_address}."
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return "A bounce or automatic reply (empty Return-Path <>)."
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header(message, name):
            return f"An automatic reply ({name})."
    return ""


# --- who vouches for the sender --------------------------------------------------------------------


def _strip_comments(value):
    kept, depth = [], 0
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(char)
    return "".join(kept)


def results(value):
    """Read one Authentication-Results header (RFC 8601): (authserv-id, [{method, result, properties}])."""
    parts = _strip_comments(value).split(";")
    authserv = parts[0].split()
    found = []
    for part in parts[1:]:
        pairs = _PROPERTY.findall(part)
        if pairs:
            method, result = pairs[0]
            properties = {name.lower(): text.strip('"').lower() for name, text in pairs[1:]}
            found.append({"method": method.split("/")[0].lower(), "result": result.lower(), **properties})
    return (authserv[0].lower() if authserv else ""), found


def aligned(signing_domain, from_domain):
    """Say whether a DKIM signature's domain vouches for the From domain: the same domain or a parent.

    Simpler than DMARC's organisational domains on purpose: a parent (example.com for
    mail.example.com) controls its subdomains, while a subdomain's signature (mail.example.com
    for example.com) is not taken, since whoever holds a subdomain (a customer's page on a
    shared host) need not hold its parent. DMARC's own verdict covers the rest.
    """
    signing_domain, from_domain = signing_domain.strip(".").lower(), from_domain.strip(".").lower()
    return bool(signing_domain) and "." in signing_domain and (
        from_domain == signing_domain or from_domain.endswith("." + signing_domain))


def authenticated(message, from_domain):
    """Say which result of our own receiving server vouches for the sender's From domain, or "".

    Only Authentication-Results headers whose authserv-id is MAIL_IN_AUTHSERV_ID count: senders
    can write such headers themselves, and our server removes any claiming its own id (RFC 8601,
    section 5). DMARC pass counts (for the From domain, when it names one), and so does DKIM
    pass by a domain aligned with the From domain (``aligned``). With no MAIL_IN_AUTHSERV_ID
    nobody is vouched for.
    """
    ours = settings.MAIL_IN_AUTHSERV_ID.strip().lower()
    if not ours or not from_domain:
        return ""
    for value in message.get_all("Authentication-Results") or []:
        authserv, found = results(clean(str(value)))
        if authserv != ours:
            continue
        for result in found:
            if result["result"] != "pass":
                continue
            if result["method"] == "dmarc" and result.get("header.from", from_domain) == from_domain:
                return f"dmarc=pass for {from_domain} ({authserv})"
            signer = result.get("header.d") or result.get("header.i", "").rpartition("@")[2]
            if result["method"] == "dkim" and aligned(signer, from_domain):
                return f"dkim=pass by {signer} ({authserv})"
    return ""


# --- the words and the files ------------------------------------------------------------------------


class _Unreadable(Exception):
    pass


def _text(part):
    """Return a text part's words in the charset it declares (UTF-8 if none), or raise _Unreadable."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    try:
        return clean(payload.decode(charset or "utf-8"))
    except (LookupError, UnicodeDecodeError):
        raise _Unreadable(f"its text is not in the encoding it declares ({clean(charset or 'none')[:40]})") from None


def _shorten(text):
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1].rstrip() + "…"


def _leaves(part):
    """Yield the parts that are not containers; a forwarded message (message/rfc822) is one part."""
    if part.get_content_maintype() == "multipart":
        for sub in part.iter_parts():
            yield from _leaves(sub)
    else:
        yield part


def _read_content(message, reading):
    broken = sorted({type(defect).__name__ for defect in message.defects} & BROKEN)
    if broken:
        reading.unreadable = f"its structure is broken ({', '.join(broken)})"
        return
    try:
        body = message.get_body(preferencelist=("plain",))
        html_body = None if body is not None else message.get_body(preferencelist=("html",))
        if body is not None:
            reading.text = _shorten(trim(_text(body)))
        elif html_body is not None:
            reading.html_only = True
            reading.html_text = _shorten(trim(html_to_text(_text(html_body))))
    except _Unreadable as problem:
        reading.unreadable = str(problem)
        return
    files = [part for part in _leaves(message) if part is not body and part is not html_body and _is_file(part)]
    limit = settings.ATTACHMENT_MAX_FILES
    if len(files) > limit:
        reading.refused.append(f"It has {len(files)} files; the web form takes up to {limit} at a time.")
        files = files[:limit]
    for part in files:
        uploaded = _uploaded(part)
        try:
            check_upload(uploaded)
        except ValidationError as error:
            reading.refused += error.messages
        else:
            reading.attachments.append(uploaded)


def _is_file(part):
    return part.get_content_maintype() == "message" or part.is_attachment() or bool(part.get_filename())


def _uploaded(part):
    """Return a part as an uploaded file, named as the sender named it (without any folders)."""
    name = clean(part.get_filename() or "").replace("\\", "/").rpartition("/")[2].strip()
    if part.get_content_maintype() == "message":
        content = part.as_bytes()
        name = name or "forwarded-message.eml"
    else:
        content = part.get_payload(decode=True) or b""
    return SimpleUploadedFile(name or "attachment", content, content_type=part.get_content_type())


def html_to_text(markup):
    """Return an HTML body's words: scripts and styles dropped, every tag stripped, entities read."""
    text = html.unescape(strip_tags(_SCRIPT_OR_STYLE.sub("", markup)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _starts_history(lines, index):
    """Say whether the quoted history of an earlier message starts at this line."""
    line = lines[index].strip()
    if _ORIGINAL.match(line):
        return True
    if line.startswith("On "):  # "On Mon, 7 Dec 2026 at 10:00, Complaints <…> wrote:", wrapped or not
        return any(" ".join(part.strip() for part in lines[index:index + span]).endswith("wrote:")
                   for span in (1, 2, 3))
    following = [other.strip() for other in lines[index + 1:index + 5]]
    if _RULE.match(line):
        return bool(following) and bool(_OUTLOOK_FROM.match(following[0]))
    return bool(_OUTLOOK_FROM.match(line)) and any(_OUTLOOK_SENT.match(other) for other in following)


def trim(text):
    """Return a message's own words: the quoted history ("On … wrote:", "> " lines, Outlook's
    "Original Message" and "From: … Sent: …" blocks) and the signature (after "-- ") left out."""
    lines = text.split("\n")
    kept = []
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _starts_history(lines, index):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


# --- what it answers -------------------------------------------------------------------------------


def answered(reading):
    """Return the email or letter the portal sent that this message answers (nearest first), or None.

    An OutgoingEmail or an ombudsman Letter, found by the Message-ID the portal gave it.
    """
    if not reading.references:
        return None
    emails = {email.message_id: email for email in
              OutgoingEmail.objects.filter(message_id__in=reading.references).select_related("complaint")}
    letters = {letter.message_id: letter for letter in
               Letter.objects.filter(message_id__in=reading.references).select_related("complaint")}
    for message_id in reading.references:
        if message_id in emails or message_id in letters:
            return emails.get(message_id) or letters[message_id]
    return None
