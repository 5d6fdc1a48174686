"""The action registry: menus and their sections by id, so add-ons add actions to "file.project" or "tools" without
ever finding a menu by its text, and each action can belong to some subjects (modes) of the window only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

# The window's menus, in menu-bar order, and each one's sections in top-to-bottom order.
LAYOUT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("file", "&File", ("project", "open", "motion", "save", "app")),
    ("edit", "&Edit", ("history", "points", "rig", "timeline")),
    ("view", "&View", ("modes", "zoom", "panels")),
    ("tools", "&Tools", ("main",)),
    ("help", "&Help", ("main",)),
)


class ActionRegistry:
    """Named places for actions in one menu bar; ``set_mode`` shows the actions of the current subject only."""

    def __init__(self, bar: QMenuBar) -> None:
        self.bar = bar
        self._menus: dict[str, QMenu] = {}
        self._ends: dict[str, QAction] = {}  # section id -> the separator that closes the section
        self._modes: dict[QAction, frozenset[str]] = {}
        self._actions: dict[str, list[QAction]] = {}
        for menu_id, title, sections in LAYOUT:
            menu = bar.addMenu(title)
            self._menus[menu_id] = menu
            for section in sections:
                self._ends[f"{menu_id}.{section}"] = menu.addSeparator()

    def adopt(self, menu_id: str, menu: QMenu, sections: Sequence[str]) -> None:
        """Give a menu outside the menu bar (a toolbar button's) an id and sections, e.g. "export.animation"."""
        self._menus[menu_id] = menu
        for section in sections:
            self._ends[f"{menu_id}.{section}"] = menu.addSeparator()

    def add_menu(self, menu: QMenu, before: str, modes: Iterable[str] | None = None) -> None:
        """Put ``menu`` (filled by its owner) in the menu bar before menu ``before``, shown for ``modes``."""
        placed = self.bar.insertMenu(self.menu(before).menuAction(), menu)
        if modes is not None:
            self._modes[placed] = frozenset(modes)

    def menu(self, menu_id: str) -> QMenu:
        """The menu ``menu_id`` ("file", "tools", …); KeyError names the known ones."""
        try:
            return self._menus[menu_id]
        except KeyError:
            raise KeyError(f"no menu {menu_id!r}; the menus are {', '.join(self._menus)}") from None

    def add(self, section: str, action: QAction | QMenu, modes: Iterable[str] | None = None) -> QAction:
        """Append ``action`` (or a submenu) to ``section`` ("file.open"); ``modes``: the subjects it is shown for
        (None: all). Returns the action placed in the menu."""
        end = self._end(section)
        menu = self._menus[section.split(".")[0]]
        placed = menu.insertMenu(end, action) if isinstance(action, QMenu) else action
        if isinstance(action, QAction):
            menu.insertAction(end, action)
        self._actions.setdefault(section, []).append(placed)
        if modes is not None:
            self._modes[placed] = frozenset(modes)
        return placed

    def add_all(self, section: str, actions: Sequence[QAction], modes: Iterable[str] | None = None) -> None:
        for action in actions:
            self.add(section, action, modes)

    def actions(self, section: str) -> list[QAction]:
        """The actions added to ``section``, in order."""
        self._end(section)
        return list(self._actions.get(section, []))

    def restrict(self, action: QAction, modes: Iterable[str]) -> None:
        """Show ``action`` (already placed, or a whole menu's action) for ``modes`` only."""
        self._modes[action] = frozenset(modes)

    def modes_of(self, action: QAction) -> frozenset[str] | None:
        """The subjects ``action`` is shown for (None: all)."""
        return self._modes.get(action)

    def set_mode(self, mode: str) -> None:
        """Show and enable the shortcuts of the actions of ``mode`` only (a hidden action's shortcut does not fire)."""
        for action, modes in self._modes.items():
            action.setVisible(mode in modes)

    def _end(self, section: str) -> QAction:
        try:
            return self._ends[section]
        except KeyError:
            raise KeyError(f"no menu section {section!r}; the sections are {', '.join(self._ends)}") from None


def window_action(parent: QWidget, text: str, slot: Callable[[], object], shortcut: str | None = None,
                  tip: str = "") -> QAction:
    """An action of ``parent`` that calls ``slot``, with its shortcut named in the tooltip."""
    a = QAction(text, parent)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    if tip:
        a.setToolTip(tip + (f" ({shortcut})" if shortcut else ""))
        a.setStatusTip(tip)
    a.triggered.connect(lambda _checked=False: slot())
    return a
