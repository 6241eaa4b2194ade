"""Helpers for the accessibility tests: run the vendored axe-core, log in, check focus."""

from django.conf import settings
from django.test import Client

# The version lives in the folder name only, so upgrading axe-core needs no change here.
AXE_FOLDERS = sorted((settings.BASE_DIR / "static" / "vendor").glob("axe-core-*"))
assert len(AXE_FOLDERS) == 1, f"expected one vendored axe-core, found {AXE_FOLDERS}"
AXE_JS = AXE_FOLDERS[0] / "axe.min.js"

# WCAG's failures that block a customer outright; minor and moderate ones are reported.
BLOCKING_IMPACTS = ("serious", "critical")

# Generous for a noisy 2-core machine: a live server thread and Chromium share it.
TIMEOUT_MS = 30_000


def run_axe(page):
    """Inject axe-core into the loaded page and return its violations."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=AXE_JS)
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def describe(violations):
    """Say, one line per affected element, what axe found and where."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def blocking(violations):
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def log_in(page, live_server, user):
    """Give the browser a session for ``user``.

    Faster than filling the login form (which test_keyboard.py does by keyboard): Django's
    test client creates the session in the database and the browser gets its cookie.
    """
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def focused(page):
    """Describe the focused element and whether its focus shows (an outline or a box shadow)."""
    return page.evaluate("""() => {
        const element = document.activeElement;
        const style = getComputedStyle(element);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        return {
            tag: element.tagName.toLowerCase(),
            id: element.id,
            name: (element.labels && element.labels[0] ? element.labels[0].innerText
                   : element.getAttribute("aria-label") || element.innerText || "").trim(),
            visible: outline || style.boxShadow !== "none",
            outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
            boxShadow: style.boxShadow,
        };
    }""")


def accessible_name(stop):
    # crispy-forms ends a required field's label with an asterisk.
    return stop["name"].removesuffix("*").strip()


def tab_to(page, name, *, key="Tab", limit=80):
    """Press Tab (or ``key``) until the element called ``name`` has focus; return the stops passed.

    Every stop on the way must show its focus: a keyboard user has to see where they are.
    """
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = focused(page)
        stops.append(stop)
        assert stop["visible"], f"focus is invisible on {stop}"
        if accessible_name(stop) == name:
            return stops
    raise AssertionError(f"{name!r} not reached with {key}; stops: {[accessible_name(s) for s in stops]}")
