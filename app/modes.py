"""The window's subjects (body, face) as pages of one QMainWindow, chosen with the Body | Face switch at the left of
the toolbar row: switching shows that subject's page, menu actions (action registry), toolbar, docks and title."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QStackedWidget, QToolBar, QWidget

from app.registry import ActionRegistry
from core.subjects import SUBJECTS


class SubjectTabs(QObject):
    """One page per subject; the current page's actions, toolbar, docks and title are the window's."""

    changed = Signal(str)  # the kind of the subject now shown

    def __init__(self, window: QMainWindow, registry: ActionRegistry, panels: QMenu) -> None:
        super().__init__(window)
        self.window, self.registry, self.panels = window, registry, panels
        self.stack = QStackedWidget()
        self.stack.currentChanged.connect(lambda _index: self._apply())
        self.switch = QToolBar("Mode", window)
        self.switch.setObjectName("ModeToolbar")
        self.switch.setMovable(False)
        self.switch.setStyleSheet("QToolButton:checked {background:#2d6cdf; color:white; border-radius:3px;}")
        self.switch.addWidget(QLabel(" Mode: "))
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.switch)
        self._group = QActionGroup(self)
        self.switch_actions: dict[str, QAction] = {}
        self._kinds: list[str] = []
        self._toolbars: dict[str, QToolBar] = {}
        self._docks: dict[str, list[QDockWidget]] = {}
        self._titles: dict[str, tuple[str, bool]] = {}

    @property
    def current(self) -> str:
        """The kind of the subject shown ("body", "face")."""
        index = self.stack.currentIndex()
        return self._kinds[index] if 0 <= index < len(self._kinds) else ""

    def add(self, kind: str, page: QWidget, toolbar: QToolBar) -> None:
        """Add ``kind``'s page and its switch button, its toolbar under the menu bar (shown while it is current)."""
        self._kinds.append(kind)
        self._toolbars[kind] = toolbar
        self._titles.setdefault(kind, (SUBJECTS[kind].title_suffix, False))
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.stack.addWidget(page)
        action = QAction(SUBJECTS[kind].title, self)
        action.setCheckable(True)
        action.setToolTip(f"Edit {'a portrait' if kind == 'face' else 'a photo of a person'} ({SUBJECTS[kind].title} mode)")
        action.triggered.connect(lambda _checked=False, k=kind: self.show(k))
        self._group.addAction(action)
        self.switch.addAction(action)
        self.switch_actions[kind] = action
        self._apply()

    def add_dock(self, widget: QWidget, title: str, height: int, kind: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> QDockWidget:
        """``widget`` in a dock of ``kind``'s (under the panes by default), listed in View → Panels."""
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"{title}Dock" if kind == "body" else f"{kind.title()}{title}Dock")
        dock.setWidget(widget)
        self.place_dock(dock, kind, area)
        if height:
            self.window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        return dock

    def place_dock(self, dock: QDockWidget, kind: str, area: Qt.DockWidgetArea) -> None:
        """Dock ``dock`` in ``area`` as one of ``kind``'s docks (shown while it is current)."""
        self.window.addDockWidget(area, dock)
        self._docks.setdefault(kind, []).append(dock)
        self.panels.addAction(dock.toggleViewAction())
        self.registry.restrict(dock.toggleViewAction(), (kind,))
        self._apply()

    def show(self, kind: str) -> None:
        """Make ``kind`` the current subject (its page shown again if it was closed)."""
        index = self._kinds.index(kind)
        self.stack.setCurrentIndex(index)
        page = self.stack.widget(index)
        if page is not None and not page.isVisible() and self.window.isVisible():
            page.show()
        self._apply()

    def set_title(self, kind: str, title: str, modified: bool) -> None:
        self._titles[kind] = (title, modified)
        if kind == self.current:
            self._show_title(kind)

    def _show_title(self, kind: str) -> None:
        title, modified = self._titles.get(kind, ("", False))
        self.window.setWindowTitle(title)
        self.window.setWindowModified(modified)

    def _apply(self) -> None:
        kind = self.current
        if kind in self.switch_actions:
            self.switch_actions[kind].setChecked(True)
        self.registry.set_mode(kind)
        for other, toolbar in self._toolbars.items():
            toolbar.setVisible(other == kind)
        for other, docks in self._docks.items():
            for dock in docks:
                dock.setVisible(other == kind)
        self._show_title(kind)
        self.changed.emit(kind)
