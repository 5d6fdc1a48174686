"""Launch the real editor on the bundled sample photo, drag a joint, and write docs/screenshots/*.png.

Usage: python scripts/take_screenshots.py [--photo PATH] [--out docs/screenshots]
Runs under the current X display; without one it starts Xvfb itself (apt-get install xvfb), and
falls back to Qt's offscreen platform when Xvfb is missing. Settings go to a temporary file, so the
user's own settings are never touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_display() -> subprocess.Popen | None:
    """Make sure Qt has somewhere to draw: the current display, a private Xvfb, or offscreen."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if shutil.which("Xvfb") is None:
        print("no DISPLAY and no Xvfb: using Qt's offscreen platform", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    display = ":97"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = display
    time.sleep(1.0)
    return proc


def wait_until(app, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app, window, timeout: float = 120.0) -> None:
    """Wait until the worker has been idle, with the newest pose's result shown, for half a second."""
    end = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
        if not window.client.idle:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return
    raise TimeoutError("the renderer did not settle in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", help="photo to open (default: the bundled sample)")
    parser.add_argument("--weights", help="a GFLA checkpoint to render with (default: the skeleton warp)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    xvfb = start_display()
    try:
        return take(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()


def take(args: argparse.Namespace) -> int:
    from app import file_ops

    file_ops.prepare_qt_environment()
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.settings import Settings
    from core.imageio_utils import save_image
    from core.skeleton import JOINT_INDEX

    app = QApplication.instance() or QApplication([sys.argv[0]])
    tmp = tempfile.mkdtemp(prefix="gfla-screens-")
    settings = Settings(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
    settings.checkpoint = args.weights
    settings.device = "cpu"
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    photo = args.photo or file_ops.sample_photo()
    if photo is None:
        print("no photo: resources/ has no sample and --photo was not given", file=sys.stderr)
        return 1
    window.open_photo(photo)
    wait_until(app, lambda: window.document.has_photo or window.banner.isVisible(), 120)
    if not window.document.has_photo:
        print(f"could not open {photo}: {window.banner.text()}", file=sys.stderr)
        return 1
    settle(app, window)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def shoot(name: str) -> None:
        from app.qimage import qimage_to_rgb

        save_image(out / name, qimage_to_rgb(window.grab().toImage()))
        print("wrote", out / name)

    shoot("01_opened.png")
    raise_right_arm(app, window)
    canvas = window.canvas
    QTest.mouseMove(canvas.viewport(), canvas.joint_viewport_pos(JOINT_INDEX["right_wrist"]))  # shows its name
    settle(app, window)
    shoot("02_dragged.png")
    window.set_view_mode("split")
    window.result_view.split = 0.5
    settle(app, window)
    shoot("03_split_view.png")
    window.set_view_mode("flow")
    settle(app, window)
    shoot("04_flow_overlay.png")
    window.set_view_mode("side")
    shoot_face_mode(app, window, out)
    window.close()
    return 0


def raise_right_arm(app, window) -> None:  # noqa: ANN001 - QApplication, MainWindow
    """Drag the right elbow, then the wrist, up beside the head in small steps, as a hand would."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from core.skeleton import JOINT_INDEX

    canvas, vp = window.canvas, window.canvas.viewport()
    wrist, elbow = JOINT_INDEX["right_wrist"], JOINT_INDEX["right_elbow"]
    pose = window.document.pose
    for joint, lift in ((elbow, 0.55), (wrist, 1.0)):
        if not pose.present[joint]:
            continue
        start = canvas.joint_viewport_pos(joint)
        head = canvas.joint_viewport_pos(JOINT_INDEX["neck"])
        end = QPoint(start.x() - int(0.25 * abs(head.y() - start.y())), int(start.y() - lift * 1.25 * abs(start.y() - head.y())))
        QTest.mouseMove(vp, start)
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for k in range(1, 21):
            QTest.mouseMove(vp, start + (end - start) * (k / 20))
            app.processEvents()
            time.sleep(0.02)
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
        settle(app, window)


def shoot_face_mode(app, window, out: Path) -> None:  # noqa: ANN001 - QApplication, MainWindow
    """Face mode on the bundled portrait: mouth opened and brows raised by dragging, keyed at 0 and 24, playhead at 12."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from app.qimage import qimage_to_rgb
    from core.face.layout import FACE68
    from core.imageio_utils import save_image

    face = window.face_tools.open_portrait(ROOT / "resources" / "portrait.png")
    window.resize(1400, 900)  # face mode is a page of the one window
    wait_until(app, lambda: face.document.has_photo and face.idle and face.last_result is not None, 120)
    canvas, vp = face.canvas, face.canvas.viewport()
    face.timeline.key_action.trigger()  # K
    face.timeline.ctl.set_frame(24)
    shift = Qt.KeyboardModifier.ShiftModifier  # Shift+drag moves a whole part: the lower lip, a brow
    moves = [("lower_lip_bottom", 0, 30), ("chin", 0, 12), ("right_brow_middle", 0, -14), ("left_brow_middle", 0, -14)]
    for name, dx, dy in moves:
        start = canvas.joint_viewport_pos(FACE68.names.index(name))
        end = start + QPoint(dx, dy)
        QTest.mouseMove(vp, start)
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, shift, start)
        for k in range(1, 11):
            QTest.mouseMove(vp, start + (end - start) * (k / 10))
            app.processEvents()
            time.sleep(0.02)
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, shift, end)
        wait_until(app, lambda: face.idle, 60)
    face.timeline.key_action.trigger()
    face.timeline.ctl.set_frame(14)
    face.timeline.ctl.set_frame(14, interactive=False)
    wait_until(app, lambda: face.idle, 60)
    time.sleep(0.3)
    app.processEvents()
    save_image(out / "05_face_mode.png", qimage_to_rgb(window.grab().toImage()))
    print("wrote", out / "05_face_mode.png")
    face.close()


if __name__ == "__main__":
    sys.exit(main())
