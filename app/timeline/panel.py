"""The timeline dock's contents: transport and keyframe buttons, segment interpolation, length/fps, the strip."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.job_dialog import float_spin, int_spin
from app.timeline.controller import TimelineController
from app.timeline.onion import OnionSkin
from app.timeline.playback import Playback
from app.timeline.plot import INTERP_COLOURS, INTERP_TITLES, TimelineView
from core.animation.keyframes import INTERPOLATIONS

EMPTY_HINT = "No keyframes yet: pose the person, then press ◆ Key (K) to record that pose here."
UNKEYED_HINT = "● The canvas pose is not keyed here: press ◆ Key (K) to record it."


def _button(text: str, tip: str, slot, shortcut: str | None = None) -> QToolButton:  # noqa: ANN001
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip + (f" ({shortcut})" if shortcut else ""))
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.clicked.connect(lambda _checked=False: slot())
    return b


class TimelinePanel(QWidget):
    """Everything in the timeline dock; its keyboard shortcuts work while the dock has focus (K, which keys the
    pose, is a window-wide action: see app.timeline.install)."""

    def __init__(self, ctl: TimelineController, onion: OnionSkin | None = None, actions: list[QAction] | None = None,
                 parent: QWidget | None = None, empty_hint: str = EMPTY_HINT) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.empty_hint = empty_hint
        self.onion = onion
        self.playback = Playback(ctl, self)
        self.view = TimelineView(ctl)
        self.play_button = _button("▶ Play", "Play the animation at its frame rate", self.playback.toggle, "Space")
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setChecked(True)
        self.loop_box.toggled.connect(lambda on: setattr(self.playback, "loop", on))
        self.frame_spin = QSpinBox()
        self.frame_spin.setPrefix("frame ")
        self.frame_spin.setToolTip("The playhead (← → step one frame, Home / End jump)")
        self.frame_spin.valueChanged.connect(lambda v: ctl.set_frame(v))
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(110)
        self.key_button = _button("◆ Key", "Record the canvas pose as a keyframe at the playhead", ctl.add_key, "K")
        # (the K shortcut itself is the window's "Key Pose at Playhead" action, so it works from the canvas too)
        self.key_button.setStyleSheet("font-weight:600;")
        self.interp_combo = QComboBox()
        for name in INTERPOLATIONS:
            self.interp_combo.addItem(INTERP_TITLES[name], name)
        self.interp_combo.setToolTip("How the pose moves from the selected keyframe (or the one before the playhead) "
                                     "to the next: hold, straight line, smooth spline, or ease in/out")
        self.interp_combo.activated.connect(lambda i: ctl.set_interp(self.interp_combo.itemData(i)))
        self.segment_label = QLabel("Segment:")
        self.onion_box = QCheckBox("Onion skin")
        self.onion_box.setToolTip("Show the keyframes before (blue) and after (orange) the playhead faintly on the photo")
        self.onion_box.setChecked(onion is None or onion.enabled)
        self.onion_box.toggled.connect(lambda on: onion.set_enabled(on) if onion is not None else None)
        self.length_spin = int_spin(1, 100000, 1, suffix=" frames", tip="Length of the animation")
        self.fps_spin = float_spin(1.0, 240.0, 1.0, decimals=3, suffix=" fps",
                                   tip="Frames per second, for playback and export")
        for box in (self.length_spin, self.fps_spin):
            box.setKeyboardTracking(False)  # typing "120" is one edit, not 1 → 12 → 120
        self.length_spin.valueChanged.connect(ctl.set_length)
        self.fps_spin.valueChanged.connect(ctl.set_fps)
        self.hint = QLabel()
        self.hint.setToolTip("Drag a ◆ to move a keyframe (Shift-click selects several) · click or drag elsewhere to "
                             "scrub · wheel zooms the time axis · right-click for keyframe and segment commands · "
                             "Ctrl+Z undoes timeline edits and pose edits in order")
        self.hint.setStyleSheet("color:#c9a227;")
        self._lay_out(actions or [])
        self._shortcuts()
        self.playback.playingChanged.connect(self._on_playing)
        ctl.trackChanged.connect(self.sync)
        ctl.frameChanged.connect(self.sync)
        ctl.selectionChanged.connect(self.sync)
        ctl.doc.poseChanged.connect(self._on_pose_changed)
        self.sync()

    def _lay_out(self, actions: list[QAction]) -> None:
        """The edit bar above the strip; the hint, the settings and the add-ons' actions below it."""
        ctl = self.ctl
        # two tool bars (editing above the strip; hint, settings, import/export below it): on a narrow
        # window their last controls fold into a » menu instead of forcing the whole window wider
        self.bar = self._toolbar([
            [_button("|◀", "Go to the first frame", lambda: ctl.set_frame(0), "Home"), self.play_button,
             self.loop_box, self.frame_spin, self.time_label],
            [self.key_button,
             _button("Delete", "Delete the selected keyframes", ctl.delete_keys, "Del"),
             _button("Duplicate", "Copy the selected keyframe to the playhead", ctl.duplicate_key, "Shift+D"),
             _button("Copy", "Copy the selected keyframes", ctl.copy, "Ctrl+C"),
             _button("Paste", "Paste copied keyframes at the playhead", ctl.paste, "Ctrl+V")],
            [self.segment_label, self.interp_combo, self.onion_box],
        ])
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.settings_bar = self._toolbar([[QLabel("Length "), self.length_spin, self.fps_spin]])
        if actions:
            self.settings_bar.addSeparator()
            self.settings_bar.addActions(actions)
            for action in actions:
                button = self.settings_bar.widgetForAction(action)
                if isinstance(button, QToolButton):
                    button.setText(action.text())  # keep the "…": it opens a dialog
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.settings_bar)
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 2, 4, 2)
        col.setSpacing(2)
        col.addWidget(self.bar)
        col.addWidget(self.view, 1)
        col.addLayout(bottom)

    @staticmethod
    def _toolbar(groups: list[list[QWidget]]) -> QToolBar:
        bar = QToolBar("Timeline")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setIconSize(QSize(1, 1))
        for group in groups:
            if bar.actions():
                bar.addSeparator()
            for w in group:
                bar.addWidget(w)
        return bar

    def _shortcuts(self) -> None:
        ctl = self.ctl
        keys = {
            "Space": self.playback.toggle, "Delete": ctl.delete_keys, "Backspace": ctl.delete_keys,
            "Shift+D": ctl.duplicate_key, "Ctrl+C": ctl.copy, "Ctrl+V": ctl.paste,
            "Left": lambda: ctl.set_frame(ctl.frame - 1), "Right": lambda: ctl.set_frame(ctl.frame + 1),
            "Home": lambda: ctl.set_frame(0), "End": lambda: ctl.set_frame(ctl.track.length_frames - 1),
        }
        for seq, slot in keys.items():
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setText("⏸ Pause" if playing else "▶ Play")

    def sync(self, *_: object) -> None:
        """Bring every control in line with the controller (signals blocked: this is display, not edit)."""
        ctl, track = self.ctl, self.ctl.track
        with QSignalBlocker(self.frame_spin), QSignalBlocker(self.length_spin), QSignalBlocker(self.fps_spin):
            self.frame_spin.setRange(0, track.length_frames - 1)
            self.frame_spin.setValue(ctl.frame)
            self.length_spin.setValue(track.length_frames)
            self.fps_spin.setValue(track.fps)
        self.time_label.setText(f"{ctl.frame / track.fps:.2f} s of {track.duration_s:.2f} s")
        key = ctl.segment_key()
        self.interp_combo.setEnabled(key is not None)
        if key is not None:
            with QSignalBlocker(self.interp_combo):
                self.interp_combo.setCurrentIndex(INTERPOLATIONS.index(key.interp))
            r, g, b = INTERP_COLOURS[key.interp]
            self.segment_label.setText(f"Segment from ◆{key.frame}:")
            self.interp_combo.setStyleSheet(f"QComboBox {{ border-left: 6px solid rgb({r},{g},{b}); }}")
        else:
            self.segment_label.setText("Segment:")
            with QSignalBlocker(self.interp_combo):
                self.interp_combo.setCurrentIndex(-1)  # nothing to show until there is a keyframe
            self.interp_combo.setStyleSheet("")
        self._update_hint()

    def _on_pose_changed(self, _interactive: bool) -> None:
        self._update_hint()

    def _update_hint(self) -> None:
        ctl = self.ctl
        if not len(ctl.track):
            self.hint.setText(self.empty_hint)
        elif ctl.doc.has_photo and not ctl.pose_is_keyed():
            self.hint.setText(UNKEYED_HINT)
        else:
            n = len(ctl.track)
            self.hint.setText(f"{n} keyframe{'s' if n != 1 else ''} · drag a ◆ to move it · drag the strip to scrub · "
                              "right-click: more")
        self.hint.setStyleSheet("color:#c9a227;" if (not len(ctl.track) or "●" in self.hint.text()) else "color:#9aa;")
