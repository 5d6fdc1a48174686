"""The Pose dock: the joint list (show, hide, select, reset each joint) and what is rendering the result."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.document import PoseDocument
from core.skeleton import COLORS, N_JOINTS, joint_label


def _swatch(index: int) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(QColor(*COLORS[index]))
    return QIcon(pm)


class PoseDock(QDockWidget):
    """Lists the 18 joints with a tick for shown/hidden; mirrors the canvas selection."""

    jointSelected = Signal(int)

    def __init__(self, doc: PoseDocument, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__("Pose", parent)
        self.setObjectName("PoseDock")
        self.doc = doc
        self.joints = QListWidget()
        self.joints.setToolTip("Untick a joint to hide it (it becomes missing); tick it to bring it back")
        for i in range(N_JOINTS):
            item = QListWidgetItem(_swatch(i), joint_label(i))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.joints.addItem(item)
        self.joints.itemChanged.connect(self._on_item_changed)
        self.joints.currentRowChanged.connect(self.jointSelected)
        self.reset_joint = QToolButton()
        self.reset_joint.setText("Reset joint")
        self.reset_joint.setToolTip("Put the selected joint back where it was detected")
        self.reset_joint.clicked.connect(self._reset_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_joint)
        for action in actions:
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.renderer_label = QLabel("—")
        self.renderer_label.setWordWrap(True)
        self.device_label = QLabel("—")
        self.time_label = QLabel("—")
        info = QGroupBox("Rendering")
        form = QFormLayout(info)
        form.addRow("Renderer:", self.renderer_label)
        form.addRow("Device:", self.device_label)
        form.addRow("Last render:", self.time_label)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("Joints (untick to hide):"))
        layout.addWidget(self.joints, 1)
        layout.addLayout(buttons)
        layout.addWidget(info)
        self.setWidget(body)
        doc.poseChanged.connect(self._sync)

    def _sync(self, _interactive: bool = False) -> None:
        present = self.doc.pose.present
        with QSignalBlocker(self.joints):
            for i in range(N_JOINTS):
                state = Qt.CheckState.Checked if present[i] else Qt.CheckState.Unchecked
                if self.joints.item(i).checkState() != state:
                    self.joints.item(i).setCheckState(state)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        i = self.joints.row(item)
        shown = item.checkState() == Qt.CheckState.Checked
        if shown == bool(self.doc.pose.present[i]):
            return
        name = joint_label(i).lower()
        if shown:
            self.doc.move_joint(i, self.doc.restore_position(i), f"Restore {name}")
        else:
            self.doc.move_joint(i, None, f"Hide {name}")

    def _reset_selected(self) -> None:
        i = self.joints.currentRow()
        if i >= 0 and self.doc.detected.present[i]:
            self.doc.move_joint(i, tuple(self.doc.detected.xy[i]), f"Reset {joint_label(i).lower()}")

    def select(self, index: int) -> None:
        with QSignalBlocker(self.joints):
            self.joints.setCurrentRow(index)

    def set_renderer(self, name: str, device: str) -> None:
        self.renderer_label.setText(name)
        self.device_label.setText(device.upper())

    def set_render_time(self, ms: float) -> None:
        self.time_label.setText(f"{ms:.0f} ms")
