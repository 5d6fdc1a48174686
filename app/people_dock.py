"""The People dock of the body editor: the person list (select, add from a preset, duplicate, delete, tick to show
or hide) and the pose presets (apply one to the selected person, save the current pose as a preset).
``install_people`` puts the model, the canvas layer and the dock into the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.canvas.people_items import PeopleOverlay
from app.people import PeopleModel
from core.errors import StudioError
from core.formats import read_pose_documents
from core.formats.controlnet_png import fit_document
from core.people import PeopleState, person_label
from core.pose_presets import Preset, fit_preset, list_presets, load_preset, save_preset
from core.posedoc import Person

if TYPE_CHECKING:
    from app.main_window import MainWindow


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    return b


class PeopleDock(QDockWidget):
    """Lists the people (the selected one is edited and rendered) and the pose presets."""

    def __init__(self, model: PeopleModel, parent: QWidget | None = None) -> None:
        super().__init__("People", parent)
        self.setObjectName("PeopleDock")
        self.model = model
        self.overlay: PeopleOverlay | None = None  # the canvas layer, set by install_people
        self.people = QListWidget()
        self.people.setToolTip("The selected person is edited and rendered; untick a person to hide them")
        self.people.currentRowChanged.connect(self._on_row)
        self.people.itemChanged.connect(self._on_check)
        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolTip("Add a person in one of the preset poses")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.add_button.setMenu(self.add_menu)
        self.duplicate_button = _button("Duplicate", "A copy of the selected person beside them")
        self.duplicate_button.clicked.connect(lambda: model.duplicate())
        self.delete_button = _button("Delete", "Delete the selected person")
        self.delete_button.clicked.connect(lambda: model.delete())
        self.presets = QListWidget()
        self.presets.setToolTip("Double-click a pose to give it to the selected person")
        self.presets.itemDoubleClicked.connect(lambda _item: self.apply_selected_preset())
        self.apply_button = _button("Apply pose", "Give the selected person this pose (fitted to their size)")
        self.apply_button.clicked.connect(self.apply_selected_preset)
        self.save_button = _button("Save current pose as preset…", "Keep the selected person's pose in the list")
        self.save_button.clicked.connect(self.save_current_dialog)
        self.setWidget(self._layout())
        model.changed.connect(self.sync)
        self.fill_presets()
        self.sync()

    def _layout(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("People: the selected one is edited and rendered.\nClick a skeleton on the photo to select it."))
        layout.addWidget(self.people, 1)
        row = QHBoxLayout()
        for w in (self.add_button, self.duplicate_button, self.delete_button):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("Pose presets:"))
        layout.addWidget(self.presets, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.apply_button)
        row2.addWidget(self.save_button)
        layout.addLayout(row2)
        return body

    # ----- the person list ----------------------------------------------------------------
    def sync(self) -> None:
        state = self.model.state
        with QSignalBlocker(self.people):
            while self.people.count() > len(state.people):
                self.people.takeItem(self.people.count() - 1)
            while self.people.count() < len(state.people):
                item = QListWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                self.people.addItem(item)
            for i, person in enumerate(state.people):
                item = self.people.item(i)
                item.setText(person_label(i, person, state.hidden[i]))
                item.setToolTip(person.summary())
                item.setCheckState(Qt.CheckState.Unchecked if state.hidden[i] else Qt.CheckState.Checked)
            self.people.setCurrentRow(state.selected)
        self.delete_button.setEnabled(len(state.people) > 1)

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.model.select(row)

    def _on_check(self, item: QListWidgetItem) -> None:
        i = self.people.row(item)
        if (item.checkState() == Qt.CheckState.Unchecked) != self.model.state.hidden[i]:
            self.model.toggle_hidden(i)

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        for preset in list_presets():
            self.add_menu.addAction(preset.name, lambda p=preset: self.add_person(p))

    def add_person(self, preset: Preset) -> None:
        """A new person in ``preset``'s pose, the selected person's size, beside them."""
        pose = load_preset(preset)
        current = self.model.state.current.body
        fitted = fit_preset(pose, current)
        box, mine = fitted.bounds(), current.bounds()
        dx = 0.0 if box is None or mine is None else (mine[2] - mine[0]) * 1.25 + 20.0
        self.model.add(Person(fitted.transformed(1.0, (dx, 0.0))))

    def apply_people_file(self, path: str) -> bool:
        """A pose file with several people, or with hands or a face (OpenPose, ControlNet, ComfyUI JSON): all its
        people, fitted into the photo, replace the current ones as one undo step. False for a one-body file (the
        window applies that as before) or one that cannot be read (the window then reports why)."""
        doc = self.model.doc
        if not doc.has_photo:
            return False
        try:
            found = read_pose_documents(path)[0]
        except (StudioError, OSError):
            return False
        if len(found.people) < 2 and not any(set(p.found_parts()) - {"body"} for p in found.people):
            return False
        found = fit_document(found, doc.size)
        self.model.push(PeopleState.from_document(found), f"Open {len(found.people)} people")
        return True

    # ----- presets ------------------------------------------------------------------------
    def fill_presets(self, select: str | None = None) -> None:
        self.presets.clear()
        for preset in list_presets():
            item = QListWidgetItem(preset.name + ("  (yours)" if preset.user else ""))
            item.setData(Qt.ItemDataRole.UserRole, preset)
            self.presets.addItem(item)
            if select is not None and preset.name == select and preset.user:
                self.presets.setCurrentItem(item)

    def apply_preset(self, preset: Preset) -> None:
        """Give the selected person ``preset``'s pose, fitted to them, as one undo step."""
        doc = self.model.doc
        fitted = fit_preset(load_preset(preset), doc.body_pose())
        doc.commit(fitted, f"Apply pose {preset.name}")

    def apply_selected_preset(self) -> None:
        item = self.presets.currentItem()
        if item is not None:
            self.apply_preset(item.data(Qt.ItemDataRole.UserRole))

    def save_current(self, name: str) -> Preset:
        doc = self.model.doc
        w, h = doc.size
        preset = save_preset(name, doc.body_pose(), (max(w, 1), max(h, 1)))
        self.fill_presets(select=preset.name)
        return preset

    def save_current_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save pose as preset", "Name of the pose:")
        if ok and name.strip():
            try:
                self.save_current(name)
            except (StudioError, OSError) as exc:
                self.save_button.setToolTip(f"Could not save the preset: {exc}")
                QMessageBox.warning(self, "Could not save the preset", str(exc))


def install_people(win: MainWindow) -> PeopleDock:
    """The people model on the window's document, its canvas layer and the People dock (tabbed with the Pose dock)."""
    model = PeopleModel(win.document, win)
    overlay = PeopleOverlay(win.canvas, model)
    win.canvas.rig.overlay = overlay
    dock = PeopleDock(model, win)
    dock.overlay = overlay
    win.modes.place_dock(dock, "body", Qt.DockWidgetArea.RightDockWidgetArea)
    win.splitDockWidget(win.pose_dock, dock, Qt.Orientation.Vertical)
    return dock
