"""The app's import structure: add-ons reach the window only through app.host protocols and the action registry, and
no module of app/ imports itself back at run time (a cycle)."""

from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _runtime_graph() -> grimp.ImportGraph:
    return grimp.build_graph("app", exclude_type_checking_imports=True, cache_dir=None)


def _cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle among app's modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("app"):
                continue
            if state.get(imported) == 1:
                return path[path.index(imported):] + [imported]
            if imported not in state and (found := visit(imported)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph.modules):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_module_of_the_app_imports_itself_back_at_run_time(monkeypatch):
    monkeypatch.chdir(ROOT)
    cycle = _cycle(_runtime_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_add_ons_never_import_the_window_and_find_no_menu_by_its_text():
    graph = grimp.build_graph("app", cache_dir=None)  # type-only imports count here too
    for add_on in ("app.timeline.install", "app.timeline.project", "app.face.install", "app.tools_finetune"):
        assert "app.main_window" not in graph.find_modules_directly_imported_by(add_on), add_on
        text = (ROOT / (add_on.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert "menuBar()" not in text and ".text().replace(" not in text, f"{add_on} looks a menu up by its text"
