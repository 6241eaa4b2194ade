"""The customer's side of .ci/production-smoke: one journey over HTTP against a production install.

Standard library only: it runs on the fresh virtualenv's Python, which holds requirements.txt
and nothing more. It talks plain HTTP to gunicorn but says what the TLS proxy in front of it
would (Host, X-Forwarded-Proto: https, X-Forwarded-For), so the portal behaves as it does in
production: it redirects anything not marked HTTPS, sets only Secure cookies, and checks
Origin and Referer on every form.

    production_smoke.py --web 127.0.0.1:8123 --host 127.0.0.1 --maildir /tmp/x/mail

Exits 0 after the journey passed; otherwise prints what failed and exits 1.
"""

import argparse
import http.client
import json
import mailbox
import re
import secrets
import sys
import time
import urllib.parse
from email.header import decode_header, make_header
from html.parser import HTMLParser
from http.cookies import SimpleCookie

TRACKING_NUMBER = re.compile(r"LMI-[0-9A-Z]{4}-[0-9A-Z]{4}")
# A one-page PDF is enough for the content check (it reads the first bytes) and puts a real
# file under MEDIA_ROOT.
SMALL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class SmokeFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


def say(message):
    print(f"  - {message}", flush=True)


class Page(HTMLParser):
    """The parts of a page the journey needs: its form fields and its stylesheets."""

    def __init__(self, html):
        super().__init__()
        self.inputs, self.stylesheets = {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.stylesheets.append(attrs["href"])


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        """The redirect's target as a path on this site (the portal redirects to https://HOST/...)."""
        target = urllib.parse.urlsplit(self.headers.get("Location", ""))
        return target.path + (f"?{target.query}" if target.query else "")


class Browser:
    """An HTTPS client as seen from behind the proxy: it keeps Secure cookies, sends Origin and Referer."""

    def __init__(self, web, host):
        self.web, self.host = web, host
        self.origin = f"https://{host}"
        self.cookies = {}

    def request(self, method, path, *, body=None, content_type=None, referer=None, proxied=True):
        headers = {"Host": self.host, "User-Agent": "production-smoke"}
        if proxied:
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            headers |= {"Origin": self.origin, "Content-Type": content_type}
        if referer:
            headers["Referer"] = self.origin + referer
        connection = http.client.HTTPConnection(self.web, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    # Django deletes a cookie (the messages one, once shown) without the Secure flag.
                    self.cookies.pop(name, None)
                    continue
                # A cookie that carries a value must be Secure in production.
                check(morsel["secure"], f"cookie {name} is not Secure in production: {header}")
                self.cookies[name] = morsel.value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields, *, files=()):
        """Post ``fields`` (and ``files``: (name, filename, content type, bytes)) as a form on ``path``."""
        if files:
            boundary = f"smoke{secrets.token_hex(12)}"
            parts = []
            for name, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                )
            for name, filename, content_type, content in files:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, content_type=content_type, referer=path)

    def form(self, path):
        """GET the page with a form and return its fields (with the CSRF token) and the page."""
        response = self.get(path)
        check(response.status == 200, f"GET {path} answered {response.status}, not 200")
        page = Page(response.text)
        check(page.inputs.get("csrfmiddlewaretoken"), f"no CSRF token in the form on {path}")
        return page


def wait_for_web(browser, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return browser.get("/healthz")
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SmokeFailure(f"gunicorn did not answer within {timeout} s: {exc}") from exc
            time.sleep(0.5)


def health(browser):
    response = browser.get("/healthz")
    try:
        body = json.loads(response.text)
    except ValueError:
        raise SmokeFailure(f"/healthz answered {response.status} with no JSON: {response.text[:300]}") from None
    return response, body


def the_proxy_posture(browser):
    plain = browser.get("/healthz", proxied=False)
    check(plain.status == 301 and plain.headers.get("Location", "").startswith("https://"),
          f"plain HTTP got {plain.status} {plain.headers.get('Location')}, not a 301 to https://")
    say(f"plain HTTP is redirected to {plain.headers['Location']}")
    response, body = health(browser)
    check(response.status == 200 and body.get("clock", {}).get("last_sweep_at"),
          f"/healthz before any customer: {response.status} {body} (the release's sweep_clocks should "
          f"have made it healthy)")
    check("Strict-Transport-Security" in response.headers, "no HSTS header on an HTTPS response")
    say(f"/healthz answers 200 with a sweep at {body['clock']['last_sweep_at']}, and sends HSTS")


def sign_up(browser, email, password):
    page = browser.form("/accounts/signup/")
    for stylesheet in page.stylesheets:
        # Collected by collectstatic, with hashed names, and served by WhiteNoise.
        response = browser.get(stylesheet)
        check(response.status == 200, f"stylesheet {stylesheet} answered {response.status}")
    say(f"the sign-up page and its {len(page.stylesheets)} stylesheet(s) load")
    fields = {
        "csrfmiddlewaretoken": page.inputs["csrfmiddlewaretoken"],
        "email": email, "password1": password, "password2": password,
        "full_name": "Smoke Test Customer", "phone": "", "address": "", "postcode": "",
        "customer_type": "domestic", "business_name": "", "business_workers": "",
        "preferred_contact": "email", "accessibility_needs": "", "vulnerability_notes": "",
        "preferred_format": "standard",
    }
    missing = sorted(set(page.inputs) - set(fields) - {"vulnerable", "support_consent", "next"})
    check(not missing, f"the sign-up form has fields this driver does not fill: {missing}")
    response = browser.post_form("/accounts/signup/", fields)
    check(response.status == 302 and response.location == "/accounts/signup/check-your-email/",
          f"sign-up answered {response.status} {response.headers.get('Location')}: {response.text[:2000]}")
    check("sessionid" not in browser.cookies, "logged in before the address was confirmed")
    say(f"signed up as {email}; the portal asks to confirm the address")


def confirm_address(browser, maildir, email, timeout):
    """Follow the link in the confirmation email, as the customer would from their inbox."""
    message = wait_for_mail(maildir, lambda message: "Confirm your email address" in subject_of(message), timeout)
    check(email in (message["To"] or ""), f"the confirmation went to {message['To']}, not {email}")
    text = message.get_payload(0).get_payload(decode=True).decode() if message.is_multipart() else \
        message.get_payload(decode=True).decode()
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", text)
    check(link, f"no confirmation link in the email: {text[:2000]}")
    page = browser.form(link.group(1))
    check("csrfmiddlewaretoken" in page.inputs, "the confirmation link shows no form to confirm the address")
    response = browser.post_form(link.group(1), {"csrfmiddlewaretoken": page.inputs["csrfmiddlewaretoken"]})
    check(response.status == 302 and response.location == "/complaints/new/",
          f"confirming the address answered {response.status} {response.headers.get('Location')}")
    check("sessionid" in browser.cookies, "confirmed the address but got no session cookie")
    say("followed the emailed link: the address is confirmed and the customer is logged in")


def file_complaint(browser):
    page = browser.form("/complaints/new/")
    fields = {
        "csrfmiddlewaretoken": page.inputs["csrfmiddlewaretoken"],
        "product": "gotomeeting", "category": "service_fault",
        "description": "Smoke test: meetings drop after ten minutes.",
        "desired_outcome": "Fix the fault.", "statement_date": "",
    }
    response = browser.post_form(
        "/complaints/new/", fields, files=[("attachments", "bill.pdf", "application/pdf", SMALL_PDF)]
    )
    check(response.status == 302 and response.location.endswith("/filed/"),
          f"filing answered {response.status} {response.headers.get('Location')}: {response.text[:2000]}")
    confirmation = browser.get(response.location)
    check(confirmation.status == 200, f"GET {response.location} answered {confirmation.status}")
    shown = re.search(r'id="tracking-number"[^>]*>\s*<strong[^>]*>([^<]+)<', confirmation.text)
    check(shown and TRACKING_NUMBER.fullmatch(shown.group(1).strip()),
          f"the confirmation page shows no tracking number: {confirmation.text[:2000]}")
    tracking_number = shown.group(1).strip()
    check(tracking_number in response.location, f"{tracking_number} is not the one filed ({response.location})")
    say(f"filed a complaint with an attachment; the confirmation page shows {tracking_number}")
    return tracking_number


def subject_of(message):
    return str(make_header(decode_header(message["Subject"] or "")))


def received(maildir):
    """Return the messages in the SMTP sink's Maildir (none until it has taken the first)."""
    try:
        return list(mailbox.Maildir(maildir, create=False))
    except FileNotFoundError:
        return []


def wait_for_mail(maildir, wanted, timeout):
    """Wait for a message the worker delivers through Redis and SMTP; return it."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for message in received(maildir):
            if wanted(message):
                say(f"{subject_of(message)!r} reached the SMTP sink after {time.monotonic() - started:.1f} s")
                return message
        time.sleep(0.5)
    seen = [subject_of(message) for message in received(maildir)]
    raise SmokeFailure(f"no such email within {timeout} s; the sink holds {seen}")


def wait_for_acknowledgement(maildir, tracking_number, email, timeout):
    message = wait_for_mail(maildir, lambda message: tracking_number in subject_of(message), timeout)
    check(email in (message["To"] or ""), f"the acknowledgement went to {message['To']}, not {email}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", required=True, help="gunicorn's address, HOST:PORT")
    parser.add_argument("--host", required=True, help="the public host name the proxy passes on")
    parser.add_argument("--maildir", required=True, help="the SMTP sink's Maildir")
    parser.add_argument("--mail-timeout", type=float, default=60)
    args = parser.parse_args()

    browser = Browser(args.web, args.host)
    email = f"smoke-{secrets.token_hex(4)}@example.com"
    try:
        wait_for_web(browser, timeout=30)
        the_proxy_posture(browser)
        sign_up(browser, email, password=secrets.token_urlsafe(16))
        confirm_address(browser, args.maildir, email, args.mail_timeout)
        tracking_number = file_complaint(browser)
        wait_for_acknowledgement(args.maildir, tracking_number, email, args.mail_timeout)
        response, body = health(browser)
        check(response.status == 200 and body["clock"]["healthy"], f"/healthz at the end: {response.status} {body}")
        say(f"/healthz still answers 200: {json.dumps(body)}")
    except SmokeFailure as failure:
        print(f"FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
