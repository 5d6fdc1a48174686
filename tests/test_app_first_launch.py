"""First launch with the real core: the bundled sample opens with its detected pose and the warp renders it."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import file_ops
from app.launch import run_app
from app.main_window import MainWindow
from core.skeleton import JOINT_INDEX

pytestmark = pytest.mark.skipif(file_ops.sample_photo() is None, reason="resources/ has no sample photo yet")


def test_launching_without_arguments_opens_the_sample_with_its_detected_pose_and_renders_it(qtbot, qsettings_dir):
    seen: dict = {}
    started = time.monotonic()

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows:
            return
        window = windows[0]
        done = window.document.has_photo and window.result_view.has_result
        if done or time.monotonic() - started > 90:
            seen.update(
                path=window.document.path,
                joints=int(window.document.pose.present.sum()),
                result=window.result_view.has_result,
                renderer=window.render_status.renderer.text(),
                hint=window.hint.isVisible(),
                store=window.settings.store.fileName(),
                pose=window.document.pose,
            )
            seen["window"] = window
            timer.stop()
            # Drag the right wrist with real mouse events, then close once the new result is in.
            canvas, before = window.canvas, window.result_view.composed_rgb()
            seen["before"] = before
            start = canvas.joint_viewport_pos(JOINT_INDEX["right_wrist"])
            vp = canvas.viewport()
            QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
            QTest.mouseMove(vp, start + QPoint(-30, -80))
            QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(-30, -80))
            window.client.rendered.connect(lambda _o: (seen.setdefault("after", window.result_view.composed_rgb()),
                                                       window.close()))
            QTimer.singleShot(60000, window.close)

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(50)
    assert run_app([]) == 0
    assert seen["path"] == str(file_ops.sample_photo())
    assert seen["joints"] >= 12, "the sample shows a whole standing person"
    assert seen["result"] and "Skeleton warp" in seen["renderer"]
    assert seen["hint"], "a new user sees the hint"
    assert seen["store"].startswith(qsettings_dir), "tests never touch the user's settings"
    assert "after" in seen and not np.array_equal(seen["after"], seen["before"])
    assert seen["window"].client.worker_thread.isFinished()
