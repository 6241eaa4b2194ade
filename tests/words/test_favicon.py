"""A favicon, vendored and in the portal's own colours, on the portal's pages and the admin's."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

PORTAL_BLUE = "#0a58ca"  # the navbar's colour, static/css/portal.css


def icons(html):
    return re.findall(r'<link rel="icon" href="([^"]+)"', html)


def test_the_favicon_is_vendored_in_the_portals_colours():
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert PORTAL_BLUE in css
    svg = Path(finders.find("favicon.svg")).read_text()
    assert PORTAL_BLUE in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", ""), "nothing fetched from elsewhere"
    with Image.open(finders.find("favicon.ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
        assert ico.convert("RGB").getpixel((2, ico.height // 2)) == (10, 88, 202)


def test_every_kind_of_page_links_the_favicon(db, agent):
    public = Client().get(reverse("home")).content.decode()
    staff = Client()
    staff.force_login(agent)
    admin = staff.get(reverse("admin:index")).content.decode()
    for html in (public, admin):
        assert icons(html) == ["/static/favicon.ico", "/static/favicon.svg"]
    for error_page in ("500.html", "503.html"):
        assert 'href="/static/favicon.svg"' in (settings.BASE_DIR / "templates" / error_page).read_text()
