"""kept_html: HTML rendered once under all it depends on, kept in the cache and in the process."""

from common import kept_html
from tests.conftest import use_dead_redis_cache


def renders():
    """Return a render function and the list of what it rendered."""
    rendered = []

    def render():
        rendered.append(f"<p>{len(rendered)}</p>")
        return rendered[-1]

    return render, rendered


def test_html_is_rendered_once_and_a_process_serves_its_copy_without_the_cache(settings):
    render, rendered = renders()
    first = kept_html.kept_html("test:filters", ("staff", 1), 60, render)
    use_dead_redis_cache(settings)

    assert kept_html.kept_html("test:filters", ("staff", 1), 60, render) == first == "<p>0</p>"
    assert rendered == ["<p>0</p>"]


def test_another_process_reads_the_cache_and_a_change_renders_afresh(db):
    render, rendered = renders()
    kept_html.kept_html("test:filters", ("staff", 1), 60, render)
    kept_html.forget()  # as a process that never rendered it

    assert kept_html.kept_html("test:filters", ("staff", 1), 60, render) == "<p>0</p>"
    assert kept_html.kept_html("test:filters", ("staff", 2), 60, render) == "<p>1</p>"
    assert kept_html.kept_html("test:filters", ("staff", 1), 60, render) == "<p>0</p>"
    assert rendered == ["<p>0</p>", "<p>1</p>"]
