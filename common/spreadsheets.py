"""Text for spreadsheet cells, shared by every CSV the portal writes."""

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text):
    """Return ``text`` so that a spreadsheet shows it rather than running it as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
