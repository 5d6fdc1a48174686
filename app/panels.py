"""Small pieces of the window's frame: the first-run hint bar, titled panes and the status-bar render readout."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSplitter,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

HINT = ("Drag a joint to re-pose the person — the result on the right follows. Shift+drag moves the whole skeleton. "
        "Scroll to zoom, right-click a joint to hide it.")
HELP = (
    "Mouse: drag a joint to move it · hover to see its name · wheel zooms about the cursor · "
    "middle button or Space+drag pans · right-click a joint to hide it or restore hidden ones. "
    "Keys: click a joint, then arrows nudge it (Shift: 10×) · Delete hides it · Ctrl+Z / Ctrl+Shift+Z undo and redo · "
    "M mirrors · Ctrl+R resets · Ctrl+1/2/3 switch the result view. "
    "Timeline: K keys the pose at the playhead · Space plays · drag a ◆ to move a keyframe · click or drag the strip to "
    "scrub. Face mode (the Body | Face switch, left of the toolbar) edits a portrait's 68 landmarks the same way."
)


class HintBar(QFrame):
    """A one-line tip for new users, with a close button."""

    closed = Signal()

    def __init__(self, text: str = HINT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("QFrame {background:#fff4c2; border-radius:4px;} QLabel {color:#3a3000;}")
        self.label = QLabel(f"<b>Tip:</b> {text}")
        self.label.setWordWrap(True)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this tip")
        close.setAutoRaise(True)
        close.clicked.connect(self.closed)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(close)


def header_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight:600; padding:4px 2px;")
    return label


def titled_pane(header: QLabel, body: QWidget) -> QWidget:
    """``body`` under a bold one-line title."""
    pane = QWidget()
    col = QVBoxLayout(pane)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(2)
    col.addWidget(header)
    col.addWidget(body, 1)
    return pane


def editing_panes(photo_title: str, canvas: QWidget, result_header: QLabel, result: QWidget,
                  strips: tuple[QWidget, ...] = ()) -> QWidget:
    """A subject's page: notice ``strips`` on top, then the photo canvas and the result side by side."""
    panes = QSplitter(Qt.Orientation.Horizontal)
    panes.addWidget(titled_pane(header_label(photo_title), canvas))
    panes.addWidget(titled_pane(result_header, result))
    panes.setSizes([700, 700])
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for strip in strips:
        layout.addWidget(strip)
    layout.addWidget(panes, 1)
    return page


class RenderStatus:
    """The status bar's busy indicator and its renderer / device / last-render-time readout."""

    def __init__(self, bar: QStatusBar) -> None:
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate
        self.progress.setMaximumWidth(110)
        self.progress.hide()
        self.busy = QLabel("")
        self.renderer = QLabel("Renderer: —")
        self.device = QLabel("Device: —")
        self.time = QLabel("Last render: —")
        bar.addWidget(self.progress)
        bar.addWidget(self.busy)
        for w in (self.renderer, self.device, self.time):
            bar.addPermanentWidget(w)

    def show_for(self, visible: bool) -> None:
        """Show the body renderer's readout (hidden in face mode, whose result header names its renderer)."""
        for w in (self.renderer, self.device, self.time):
            w.setVisible(visible)

    def set_busy(self, text: str) -> None:
        self.progress.setVisible(bool(text))
        self.busy.setText(text)

    def set_renderer(self, name: str, device: str) -> None:
        self.renderer.setText(f"Renderer: {name}")
        self.device.setText(f"Device: {device.upper()}")

    def set_time(self, ms: float) -> None:
        self.time.setText(f"Last render: {ms:.0f} ms")
