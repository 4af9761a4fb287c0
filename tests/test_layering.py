"""The layers of docs/architecture.md, checked on the source: tasks import services and never the reverse,
no import hides a cycle inside a function, console views leave queries to selectors, and row locks taken
with select_related lock only the row they mean (`of=("self",)`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("bookings", "facilities", "frontend", "mutualaid", "portal")


def _tree(relative: str) -> ast.Module:
    return ast.parse((ROOT / relative).read_text())


def _modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        base = "." * node.level + (node.module or "")
        return [base] + [f"{base}.{a.name}" if node.module else f"{base}{a.name}" for a in node.names]
    return []


SERVICES = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("bookings/services/*.py"),
                                                     ROOT / "facilities/services.py",
                                                     ROOT / "portal/members/services.py",
                                                     ROOT / "portal/notifications/services.py"])


@pytest.mark.parametrize("path", SERVICES)
def test_services_never_import_tasks(path):
    imported = [m for node in ast.walk(_tree(path)) for m in _modules(node)]
    assert not [m for m in imported if m.endswith("tasks") or ".tasks." in m]


NO_LAZY_IMPORTS = [*SERVICES, "bookings/tasks.py", "portal/notifications/tasks.py", "frontend/views/console.py",
                   "frontend/views/console_palaces.py", "frontend/views/console_facilities.py",
                   "frontend/views/console_stays.py", "frontend/views/sanatoriums.py",
                   "frontend/views/console_mutualaid.py", "frontend/views/mutualaid.py",
                   "frontend/views/console_stats.py", "frontend/views/console_stats_exports.py"]


@pytest.mark.parametrize("path", NO_LAZY_IMPORTS)
def test_no_import_hides_inside_a_function(path):
    lazy = [f"{path}:{inner.lineno}" for node in ast.walk(_tree(path))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
    assert lazy == []


def test_facilities_sit_below_bookings():
    for path in (ROOT / "facilities").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        imported = [m for node in ast.walk(ast.parse(path.read_text())) for m in _modules(node)]
        assert not [m for m in imported if m.startswith("bookings")], path


@pytest.mark.parametrize("path", ["frontend/views/console.py", "frontend/views/console_palaces.py",
                                  "frontend/views/console_stays.py", "frontend/views/sanatoriums.py",
                                  "frontend/views/console_mutualaid.py", "frontend/views/mutualaid.py",
                   "frontend/views/console_stats.py", "frontend/views/console_stats_exports.py"])
def test_console_views_leave_queries_to_selectors(path):
    queries = [f"{path}:{n.lineno}" for n in ast.walk(_tree(path))
               if isinstance(n, ast.Attribute) and n.attr in ("objects", "role_grants")]
    assert queries == []


def _chain(call: ast.Call) -> list[ast.Call]:
    """The calls of one method chain, outermost first: a.filter().select_related().select_for_update()."""
    calls = []
    node = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def test_row_locks_with_select_related_name_their_table():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                chain = _chain(node)
                names = [c.func.attr for c in chain]
                if "select_for_update" in names and "select_related" in names:
                    lock = chain[names.index("select_for_update")]
                    if not any(k.arg == "of" for k in lock.keywords):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert sorted(set(offenders)) == []
