"""Issue 20 item 6, the GUI soak: 2,000 random drags on the view's viewport (real mouse events), undo/redo,
renderer switches and a cancelled export. The worker never stalls (every settle render arrives), RSS grows by
less than 50 MB after a warm-up, and Qt prints no warning about threads."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QTest

from app.jobs import Job

DRAGS = 2000
WARM_UP = 200
RSS_LIMIT_MB = 50.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture
def qt_messages():
    """Every Qt warning/critical message while the test runs."""
    seen: list[str] = []

    def handler(kind, _context, text):  # noqa: ANN001
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg:
            seen.append(str(text))

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def _fast_drag(editor, rng: random.Random) -> None:
    """Press on a random joint, three moves, release: a quick user drag."""
    canvas = editor.canvas
    vp = canvas.viewport()
    joint = rng.randrange(len(editor.document.pose.xy))
    start = canvas.joint_viewport_pos(joint)
    offset = QPoint(rng.randint(-25, 25), rng.randint(-25, 25))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in (1, 2, 3):
        QTest.mouseMove(vp, start + offset * (k / 3))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + offset)


def _cancelled_export(qtbot, editor, tmp_path: Path, fake_renderers) -> None:
    warp = fake_renderers["warp"]
    warp.delay = 0.02
    ctl, doc = editor.timeline.ctl, editor.document
    ctl.set_length(100)
    ctl.add_key(0)
    ctl.add_key(99, doc.pose.with_joint(0, (40.0, 80.0)))
    dlg = editor.timeline.show_export()
    out = tmp_path / "never.mp4"
    dlg.path_edit.setText(str(out))
    job: Job | None = dlg.start()
    assert job is not None
    qtbot.waitUntil(lambda: dlg.progress.value() >= 2, timeout=10000)
    dlg.cancel_button.click()
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    outcome = job.outcome
    assert outcome is not None and outcome[0] == "cancelled" and not out.exists()
    dlg.close()
    warp.delay = 0.0


def _settled(qtbot, editor, shown: list) -> None:
    """The worker answers: it goes idle and its last result is the full-size render of the newest request."""
    client = editor.client
    qtbot.waitUntil(lambda: client.idle, timeout=5000)
    if shown:
        last = shown[-1]
        assert last.full_size and last.generation == client.generation, "the settle render never arrived"


def test_soak_2000_drags_undo_redo_renderer_switches_and_a_cancelled_export(
        qtbot, editor, tmp_path, fake_renderers, qt_messages):
    """case: 2,000 random drags with undo/redo, renderer switches and a cancelled export (GUI soak) |
    expected: the worker never stalls, memory stays flat, Qt warns of no thread misuse |
    checks: real mouse drags on the viewport; after each the client goes idle and its last result is the
    full-size render of the newest request; RSS grows < 50 MB after 200 warm-up drags; no Qt message names a thread"""
    rng = random.Random(20)
    shown: list = []
    editor.client.rendered.connect(shown.append)
    stack = editor.document.undo_stack
    rss_after_warm_up, switches = 0.0, 0
    for i in range(DRAGS):
        before, pose_before = len(shown), editor.document.pose
        _fast_drag(editor, rng)
        r = rng.random()
        if r < 0.08 and stack.canUndo():
            stack.undo()
        elif r < 0.12 and stack.canRedo():
            stack.redo()
        elif r < 0.13:
            with qtbot.waitSignal(editor.client.rendererChanged, timeout=5000):
                editor.choose_renderer(None if editor.settings.checkpoint else "/weights/pose_fashion.safetensors")
            switches += 1
        _settled(qtbot, editor, shown)
        if editor.document.pose != pose_before:
            assert len(shown) > before, f"edit {i} was never rendered"
        if i == DRAGS // 2:
            _cancelled_export(qtbot, editor, tmp_path, fake_renderers)
            _settled(qtbot, editor, shown)
        if i == WARM_UP:
            rss_after_warm_up = _rss_mb()
        if len(shown) > 50:
            del shown[:-5]
    grown = _rss_mb() - rss_after_warm_up
    print(f"\nsoak: {DRAGS} drags, RSS grew {grown:.1f} MB after the warm-up")
    assert grown < RSS_LIMIT_MB
    assert stack.count() > 0 and switches > 10, (stack.count(), switches)
    threads = [m for m in qt_messages if "thread" in m.lower()]
    assert threads == [], threads
