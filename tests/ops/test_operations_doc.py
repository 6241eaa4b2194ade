"""The operations guide documents every environment variable the settings module reads."""

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def variables_read_by_settings():
    """Return the names passed to ``env(...)``, ``env.int(...)`` and the like in settings.py."""
    tree = ast.parse((PROJECT / "complaints_portal" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[0] == "env"
        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    }


def test_every_environment_variable_is_in_the_operations_guide():
    guide = (PROJECT / "docs" / "operations.md").read_text()
    variables = variables_read_by_settings()

    assert {"PORTAL_ENV", "DATABASE_URL", "LOG_LEVEL"} <= variables
    assert sorted(name for name in variables if f"`{name}`" not in guide) == []
