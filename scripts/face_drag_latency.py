"""Measure face mode's drag previews in the real window (offscreen): previews shown per mouse move, the gaps between
them, and the full-size render on release, on the bundled portrait at its size and enlarged to 2048 px.

    python scripts/face_drag_latency.py

No checkpoint is used (an empty weights store), so the landmark mesh warp renders both previews and results.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["GFLA_STUDIO_DATA"] = tempfile.mkdtemp(prefix="gfla-latency-")
os.environ["GFLA_WEIGHTS_DIR"] = tempfile.mkdtemp(prefix="gfla-latency-weights-")

MOVES, MOVE_MS = 120, 16


def spin(ms: int) -> None:
    """Run the Qt event loop for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(condition, timeout_s: float = 120.0) -> None:  # noqa: ANN001
    """Spin the event loop until ``condition()`` holds."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the face window did not settle")
        spin(10)


def main() -> int:
    from app import file_ops

    file_ops.prepare_qt_environment()
    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QPoint, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.settings import Settings
    from core.face.layout import FACE68

    _app = QApplication.instance() or QApplication([sys.argv[0]])
    portrait = ROOT / "resources" / "portrait.png"
    big = Path(tempfile.mkdtemp()) / "portrait_2048.png"
    Image.open(portrait).convert("RGB").resize((2048, 2048), Image.Resampling.BICUBIC).save(big)
    settings = Settings(QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings)
    win.show()

    lip = FACE68.names.index("lower_lip_bottom")
    for path in (portrait, big):
        face = win.face_tools.open_portrait(path)
        win.resize(1300, 850)  # face mode is a page of the one window
        wait(lambda f=face, p=path: f.portrait is not None and f.portrait.path == str(p) and f.idle
             and f.last_result is not None)
        shown: list[float] = []
        face.jobs.preview.finished.connect(lambda _g, _a, shown=shown: shown.append(time.perf_counter()))
        canvas, vp = face.canvas, face.canvas.viewport()
        start = canvas.joint_viewport_pos(lip)
        shift = Qt.KeyboardModifier.ShiftModifier
        QTest.mouseMove(vp, start)
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, shift, start)
        t0 = time.perf_counter()
        for k in range(1, MOVES + 1):
            QTest.mouseMove(vp, start + QPoint(0, round(60 * k / MOVES)))
            spin(MOVE_MS)
        t1 = time.perf_counter()
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, shift, start + QPoint(0, 60))
        wait(lambda f=face: f.idle)
        during = [t for t in shown if t <= t1]
        gaps = np.diff([t0, *during]) * 1000 if during else np.array([np.nan])
        h, w = face.portrait.image.shape[:2]
        print(f"{w}x{h} portrait: {MOVES} moves in {t1 - t0:.2f} s, {len(during)} previews shown while dragging, "
              f"median gap {np.median(gaps):.1f} ms, longest {np.max(gaps):.1f} ms; render on release "
              f"{face.last_result.seconds * 1000:.0f} ms ({face.last_result.renderer})")
        face.jobs.preview.finished.disconnect()
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
