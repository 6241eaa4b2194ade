"""The apps' dependency picture is enforced: lint-imports passes, and fails on a forbidden import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
# The packages the contracts cover, as pyproject.toml lists them.
PACKAGES = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120)


@pytest.fixture
def copy_of_the_code(tmp_path):
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_code_keeps_every_contract():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "forbidden_import", "contract"), [
    ("complaints/shortcut.py", "from desk import changelist", "The apps build on each other in one direction"),
    ("ombudsman/models/shortcut.py", "from complaints.models import Complaint",
     "ombudsman.models imports no app above it"),
    ("reports/shortcut.py", "from complaints_portal import views", "Apps never import the project"),
    ("clock/shortcut.py", "import complaints", "clock and common stand alone"),
])
def test_a_forbidden_import_breaks_its_contract(copy_of_the_code, module, forbidden_import, contract):
    (copy_of_the_code / module).write_text(f"{forbidden_import}\n")

    result = lint_imports(copy_of_the_code)

    assert result.returncode == 1
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(contract in line for line in broken), result.stdout
