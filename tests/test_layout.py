"""The layout the README draws: each root folder is one subpackage of ``rlvr`` and imports point
one way, sandbox <- verifiers <- tasks <- evals <- trainer <- cli, and the HTTP server beside
evals and trainer: tasks <- serve <- cli (a package imports only what it is drawn on top of)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["sandbox", "verifiers", "tasks", "evals", "trainer", "serve", "cli"]
# What each package may import besides itself.
ALLOWED = {
    "sandbox": set(),
    "verifiers": {"sandbox"},
    "tasks": {"sandbox", "verifiers"},
    "evals": {"sandbox", "verifiers", "tasks"},
    "trainer": {"sandbox", "verifiers", "tasks", "evals"},
    "serve": {"sandbox", "verifiers", "tasks"},  # no evals, no trainer: a torch-free server
    "cli": set(ORDER) - {"cli"},
}


def _rlvr_imports(path: Path) -> set[str]:
    """The rlvr subpackages a module imports (absolute imports; relative ones stay inside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found |= {n.split(".")[1] for n in names if n.startswith("rlvr.") and n.count(".") >= 1}
    return found


def test_imports_point_one_way() -> None:
    wrong = []
    for package in ORDER:
        allowed = ALLOWED[package] | {package}
        for path in sorted((ROOT / package).rglob("*.py")):
            for imported in _rlvr_imports(path) - allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports rlvr.{imported}")
    assert not wrong, "imports against the dependency order:\n" + "\n".join(wrong)


def test_every_code_folder_is_installed_and_tested() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    for package in ORDER:
        assert f'"rlvr.{package}" = "{package}"' in pyproject
        assert (ROOT / "tests" / package).is_dir()
