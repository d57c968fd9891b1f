"""The house rules that code review alone would let slip (../shared/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("path", _modules("question_bank"), ids=lambda p: str(p.relative_to(ROOT)))
def test_question_bank_is_a_pure_library(path):
    assert not _top(_imports(path)) & {"flask", "flask_sqlalchemy", "sqlalchemy", "certify", "flask_babel"}


PURE_RULE_FILES = [
    p
    for p in _modules("certify")
    if p.stem
    in {
        "rules",
        "eligibility",
        "scoring",
        "timing",
        "saving",
        "rubrics",
        "quality",
        "throttle",
        "identity",
        "calendar",
        "numbers",
        "tokens",
        "fasttrack",
        "appointments",
        "draw",
        "detection",
        "levels",
        "timing_checks",
        "session_rules",
        "session_roster",
        "marking_rules",
        "presenting",
    }
    or p.stem.startswith(("eligibility_", "tokens_"))
]


@pytest.mark.parametrize("path", PURE_RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_touch_no_database_request_or_clock(path):
    imports = _imports(path)
    assert not _top(imports) & {"flask", "flask_login", "flask_sqlalchemy", "sqlalchemy"}
    assert "certify.core.db" not in imports and "certify.core.clock" not in imports


@pytest.mark.parametrize("path", _modules("certify"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_legacy_query_api_and_operations_never_commit(path):
    source = path.read_text()
    assert ".query." not in source and ".query(" not in source, "use db.session.execute(select(...))"
    if path.name in {"operations.py", "people.py", "audit.py", "rules.py", "queries.py"} or path.stem.endswith(
        ("_ops", "_rules")
    ):
        assert "commit()" not in source, "operations flush; the view, command or job commits once"


def test_the_factory_only_wires():
    source = (ROOT / "certify" / "app.py").read_text()
    for forbidden in ("create_all", "upgrade(", "scheduler.start", "BackgroundScheduler"):
        assert forbidden not in source


@pytest.mark.parametrize(
    "path", _modules("certify") + _modules("question_bank"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_files_stay_small(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES, "split the module"


def test_domains_do_not_import_each_others_views():
    for path in _modules("certify"):
        domain = path.relative_to(ROOT / "certify").parts[0]
        for name in _imports(path):
            parts = name.split(".")
            crosses = len(parts) >= 3 and parts[0] == "certify" and parts[2].startswith("views") and parts[1] != domain
            if crosses and path.name != "app.py":
                pytest.fail(f"{path.relative_to(ROOT)} imports {name}")
