"""What the GUI tests share: a shown canvas, a mouse drag on its viewport as a user makes it, the one-undo-step
check and 68 face points spread over a photo."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

NO_MOD = Qt.KeyboardModifier.NoModifier


def shown_canvas(qtbot, doc, size: tuple[int, int] = (640, 640), layout=None):  # noqa: ANN001, ANN201
    """A PoseCanvas on ``doc`` (``layout``: its point layout, default the body), shown at ``size`` and exposed."""
    from app.canvas import PoseCanvas

    canvas = PoseCanvas(doc) if layout is None else PoseCanvas(doc, layout=layout)
    qtbot.addWidget(canvas)
    canvas.resize(*size)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


def face_points(w: int, h: int) -> np.ndarray:
    """(68, 2) points spread over a w×h photo, 6 px apart at least (enough to grab each one)."""
    k = np.arange(68)
    return np.stack([w * (0.1 + 0.8 * (k % 12) / 11), h * (0.1 + 0.8 * (k // 12) / 5)], axis=1)


def drag(qtbot, canvas, start: QPoint, end: QPoint, mods=NO_MOD, steps: int = 8) -> None:  # noqa: ANN001
    """Press, move in steps and release on the canvas viewport, as a user's mouse would."""
    vp = canvas.viewport()
    QTest.mouseMove(vp, start)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, mods, start)
    for k in range(1, steps + 1):
        QTest.mouseMove(vp, start + (end - start) * (k / steps))
        qtbot.wait(3)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, mods, end)


def assert_one_undo_step(doc, before, text: str) -> None:  # noqa: ANN001
    """The edit is one undo step named ``text``, and undoing it brings back the pose ``before``."""
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == text
    doc.undo_stack.undo()
    assert doc.pose == before
