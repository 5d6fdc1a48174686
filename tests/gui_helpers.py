"""What the GUI tests share: a mouse drag on a canvas viewport as a user makes it, and the one-undo-step check."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

NO_MOD = Qt.KeyboardModifier.NoModifier


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
