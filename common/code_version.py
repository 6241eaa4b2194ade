"""The version of the code a process runs, to key caches of what the code rendered."""

import hashlib
from pathlib import Path

# What makes pages: Python, templates, and the static files they name (by hashed names in
# production). Tests, tooling and data files do not.
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".css", ".js", ".svg", ".ico")
SKIPPED_DIRS = {".git", ".venv", "node_modules", "tests", "var", "bench", "docs", "__pycache__"}


def code_version(base_dir):
    """Return a short hash of the source files under ``base_dir``.

    A deploy that changes a template or a view changes the version, so a cache never serves
    a page that older code rendered. Read once when settings load: a few hundred small files.
    """
    digest = hashlib.sha256()
    base_dir = Path(base_dir)
    for path in sorted(_source_files(base_dir)):
        digest.update(str(path.relative_to(base_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _source_files(directory):
    for entry in directory.iterdir():
        if entry.is_dir():
            if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
                yield from _source_files(entry)
        elif entry.suffix in SOURCE_SUFFIXES:
            yield entry
