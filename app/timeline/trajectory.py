"""A small pyqtgraph plot of one joint's raw and cleaned x / y over time, with the smoothing's effect in numbers."""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Signal  # noqa: E402
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

from core.skeleton import JOINT_INDEX, N_JOINTS, joint_label  # noqa: E402

X_COLOUR, Y_COLOUR = (80, 160, 255), (255, 150, 60)


class TrajectoryPlot(QWidget):
    """Raw (thin, faint) and cleaned (bold) x and y of the chosen joint, frame by frame."""

    jointChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.joint = QComboBox()
        for i in range(N_JOINTS):
            self.joint.addItem(joint_label(i), i)
        self.joint.setCurrentIndex(JOINT_INDEX["right_wrist"])
        self.joint.currentIndexChanged.connect(lambda i: self.jointChanged.emit(i))
        self.stats = QLabel("")
        self.plot = pg.PlotWidget(background="#1e1e22")
        self.plot.setMinimumHeight(200)
        self.plot.setLabel("bottom", "frame")
        self.plot.setLabel("left", "pixels")
        self.plot.addLegend(offset=(8, 8))
        self.raw_x = self.plot.plot(name="x raw", pen=pg.mkPen((*X_COLOUR, 120), width=1))
        self.clean_x = self.plot.plot(name="x cleaned", pen=pg.mkPen(X_COLOUR, width=2.5))
        self.raw_y = self.plot.plot(name="y raw", pen=pg.mkPen((*Y_COLOUR, 120), width=1))
        self.clean_y = self.plot.plot(name="y cleaned", pen=pg.mkPen(Y_COLOUR, width=2.5))
        top = QHBoxLayout()
        top.addWidget(QLabel("Joint:"))
        top.addWidget(self.joint)
        top.addWidget(self.stats, 1)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(top)
        col.addWidget(self.plot, 1)

    def show_motion(self, raw: np.ndarray | None, cleaned: np.ndarray | None) -> None:
        """Plot the chosen joint of (T, 18, 2) ``raw`` and ``cleaned`` (either may be None)."""
        from core.animation.smoothing import mean_acceleration

        j = int(self.joint.currentData())
        for curve, arr, c in ((self.raw_x, raw, 0), (self.raw_y, raw, 1), (self.clean_x, cleaned, 0),
                              (self.clean_y, cleaned, 1)):
            if arr is None:
                curve.setData([], [])
            else:
                curve.setData(np.arange(len(arr)), arr[:, j, c], connect="finite")
        if raw is None or cleaned is None:
            self.stats.setText("")
            return
        a_raw, a_clean = mean_acceleration(raw), mean_acceleration(cleaned)
        change = f" ({100 * (a_clean - a_raw) / a_raw:+.0f} %)" if a_raw > 0 else ""
        self.stats.setText(f"Jitter (mean frame-to-frame acceleration, all joints): {a_raw:.2f} → {a_clean:.2f} px/frame²{change}")

    def curve_data(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is drawn now, by curve name (tests read it)."""
        return {c.name(): c.getData() for c in (self.raw_x, self.clean_x, self.raw_y, self.clean_y)}
