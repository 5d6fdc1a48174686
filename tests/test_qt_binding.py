"""The Qt binding itself: PySide6-Essentials 6.12.0 on Python 3.11 dropped one reference to None on every call of a
Qt method that returns nothing, so the editor died ("Fatal Python error: none_dealloc") after about 750 drag moves.
pyproject pins a release without that fault; this test catches a pin that brings it back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsScene, QLabel

CALLS = 3000


def test_qt_methods_that_return_nothing_leave_the_reference_count_of_none_alone(qtbot) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    scene = QGraphicsScene()
    item = QGraphicsEllipseItem(0, 0, 5, 5)
    scene.addItem(item)
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText("y")  # void methods, as the canvas calls hundreds of times per drag move
        item.setPos(QPointF(i % 7, 1.0))
        label.update()
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 10, f"{lost} references to None lost in {3 * CALLS} Qt calls: this Qt binding will crash"
