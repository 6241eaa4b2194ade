"""Rendering that is done once and kept: a complaint's timeline, and blank forms."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template

register = template.Library()

# A blank form renders the same on every page, for as long as the process runs its code.
_blank_forms = {}


@register.simple_tag
def customer_timeline(timeline, scheme):
    """Render a complaint's timeline for its customer, naming ``scheme`` in its ombudsman events."""
    return timeline.html(scheme=scheme)


@register.filter
def crispy_kept(form):
    """Render a form as ``|crispy`` does, rendering a blank one only once per process.

    A form with data, errors or initial values is rendered afresh every time.
    """
    if form.is_bound or form.initial:
        return as_crispy_form(form)
    # Labels and help texts may quote settings (the upload limits), which tests change.
    words = tuple((name, str(field.label), str(field.help_text)) for name, field in form.fields.items())
    key = (type(form), form.prefix, form.auto_id, words)
    if key not in _blank_forms:
        _blank_forms[key] = as_crispy_form(form)
    return _blank_forms[key]
