"""Face mode and the novel-view dialog in the editor: the canvas with the 68-point layout, detection, rendering in the
worker, the no-checkpoint notices, saving (real mouse events on the viewport, offscreen)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from gfla_checks import SMALL, save_small_checkpoint
from gui_helpers import assert_one_undo_step, drag, face_points, shown_canvas
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.canvas import Keypoints
from app.face.document import KeypointDocument
from core.face.layout import FACE68

ROOT = Path(__file__).resolve().parents[1]
PORTRAIT = ROOT / "resources" / "portrait.png"
LIP = FACE68.names.index("lower_lip_bottom")
BROW = FACE68.names.index("left_brow_middle")


def import_small_checkpoint(kind: str, tmp_path: Path, monkeypatch) -> None:
    """A random reduced-width checkpoint in the published key layout, imported into the store (CONFIGS to match)."""
    from core.weights_store import import_checkpoint

    import_checkpoint(save_small_checkpoint(kind, tmp_path / f"{kind}_latest_net_G.pth", monkeypatch, seed=5))


@pytest.fixture
def face_canvas(qtbot):
    doc = KeypointDocument(FACE68)
    canvas = shown_canvas(qtbot, doc, layout=FACE68)
    image = np.full((400, 400, 3), 120, np.uint8)
    doc.set_photo("face.png", image, Keypoints(face_points(400, 400)))
    return canvas, doc


# ----- the canvas with another layout ---------------------------------------------------------------
def test_the_canvas_draws_the_face_layout_and_names_the_hovered_landmark(qtbot, face_canvas):
    canvas, doc = face_canvas
    assert len(canvas.skeleton.joints) == 68 and len(canvas.skeleton.limbs) == len(FACE68.edges)
    assert all(item.isVisible() for item in canvas.skeleton.joints)
    QTest.mouseMove(canvas.viewport(), canvas.joint_viewport_pos(LIP) + QPoint(2, 1))
    qtbot.waitUntil(lambda: canvas.hovered == LIP, timeout=2000)
    assert canvas.skeleton.label.text() == "Lower lip bottom"


def test_dragging_a_face_landmark_moves_only_it_and_one_undo_restores_it(qtbot, face_canvas):
    canvas, doc = face_canvas
    before = doc.pose
    start = canvas.joint_viewport_pos(LIP)
    drag(qtbot, canvas, start, start + QPoint(15, 30))
    scale = canvas.transform().m11()
    np.testing.assert_allclose(doc.pose.xy[LIP] - before.xy[LIP], np.array([15, 30]) / scale, atol=2.0 / scale)
    others = np.delete(np.arange(68), LIP)
    np.testing.assert_array_equal(doc.pose.xy[others], before.xy[others])
    assert doc.undo_stack.count() == 1, "a whole drag must be one undo step"
    doc.undo_stack.undo()
    assert doc.pose == before
    assert canvas.skeleton.joints[LIP].pos().x() == pytest.approx(before.xy[LIP][0])


def test_shift_dragging_the_lower_lip_moves_the_whole_lip_as_one_undo_step(qtbot, face_canvas):
    canvas, doc = face_canvas
    before = doc.pose
    _name, lip = FACE68.drag_group(LIP)
    assert set(lip) == {55, 56, 57, 58, 59, 65, 66, 67}
    start = canvas.joint_viewport_pos(LIP)
    vp, end = canvas.viewport(), start + QPoint(0, 24)
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.mouseMove(vp, start)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, shift, start)
    for k in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (k / 4))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, shift, end)
    moved = doc.pose.xy - before.xy
    dy = 24 / canvas.transform().m11()
    np.testing.assert_allclose(moved[list(lip)], np.tile([0.0, dy], (len(lip), 1)), atol=1.5 / canvas.transform().m11())
    followers = dict(FACE68.followers("lower_lip"))
    assert followers[FACE68.names.index("chin")] > 0.5, "opening the mouth drops the chin"
    for i, fraction in followers.items():  # the jaw follows part of the way
        np.testing.assert_allclose(moved[i], [0.0, fraction * dy], atol=1.5 / canvas.transform().m11())
    others = [i for i in range(68) if i not in lip and i not in followers]
    np.testing.assert_array_equal(doc.pose.xy[others], before.xy[others])
    assert_one_undo_step(doc, before, "Move lower lip")


def test_a_part_dragged_against_the_photo_edge_keeps_its_shape(qtbot, face_canvas):
    canvas, doc = face_canvas
    before = doc.pose
    _name, lip = FACE68.drag_group(LIP)
    start = canvas.joint_viewport_pos(LIP)
    vp, end = canvas.viewport(), start + QPoint(0, 2000)  # far below the photo
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, shift, start)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, shift, end)
    moved = doc.pose.xy[list(lip)] - before.xy[list(lip)]
    np.testing.assert_allclose(moved, np.tile(moved[0], (len(lip), 1)), atol=1e-9)  # one shift for every point
    assert doc.pose.xy[list(lip), 1].max() == pytest.approx(doc.size[1] - 1) and moved[0, 1] > 0


def test_face_landmarks_nudge_hide_restore_and_mirror(qtbot, face_canvas):
    canvas, doc = face_canvas
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     canvas.joint_viewport_pos(BROW))
    assert canvas.selected == BROW
    y0 = doc.pose.xy[BROW][1]
    QTest.keyClick(canvas, Qt.Key.Key_Up)
    assert doc.pose.xy[BROW][1] < y0
    menu = canvas.build_context_menu(canvas.joint_viewport_pos(BROW))
    next(a for a in menu.actions() if a.text() == "Hide left brow middle").trigger()
    assert not doc.pose.present[BROW] and not canvas.skeleton.joints[BROW].isVisible()
    restore = canvas.build_context_menu(QPoint(5, 5)).actions()
    sub = next(a.menu() for a in restore if a.menu() is not None and a.text() == "Restore hidden landmark here")
    next(a for a in sub.actions() if a.text() == "Left brow middle").trigger()
    assert doc.pose.present[BROW]
    before = doc.pose
    doc.commit(doc.mirrored(), "Mirror face")
    right = FACE68.mirror[BROW]
    assert FACE68.names[right] == "right_brow_middle"
    centre = (before.bounds()[0] + before.bounds()[2]) / 2
    np.testing.assert_allclose(doc.pose.xy[right], [2 * centre - before.xy[BROW][0], before.xy[BROW][1]])


# ----- the face window -----------------------------------------------------------------------------
def open_face(qtbot, editor):
    window = editor.face_tools.open_portrait(PORTRAIT)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.document.has_photo and window.idle, timeout=20000)
    return window


def test_the_menus_offer_face_mode_and_the_view_dialog(editor):
    menus = {m.text().replace("&", ""): [a.text() for a in m.menu().actions()] for m in editor.menuBar().actions()}
    assert "Open Portrait (Face Mode)…" in menus["File"] and "Novel View (ShapeNet)…" in menus["Tools"]


def test_without_a_checkpoint_the_face_window_renders_with_the_mesh_warp_and_names_the_file(qtbot, weights_store,
                                                                                            editor):
    window = open_face(qtbot, editor)
    xy = window.document.pose.xy
    assert xy.shape == (68, 2) and np.isfinite(xy).all()
    eyes_y = xy[36:48, 1].mean()
    assert eyes_y < xy[30, 1] < xy[51, 1] < xy[57, 1] < xy[8, 1], "eyes above nose tip above mouth above chin"
    assert window.checkpoint_banner.isVisible()
    text = window.checkpoint_banner.text()
    assert "landmark mesh warp" in text and "latest_net_G.pth" in text and "File ▸ Import Face Checkpoint" in text
    assert "python main.py weights import PATH" in text
    qtbot.waitUntil(lambda: window.last_result is not None and window.idle, timeout=20000)
    assert window.last_result.renderer.startswith("Landmark mesh warp")
    assert "Landmark mesh warp" in window.result_header.text()
    portrait = window.portrait.image
    assert np.abs(window.last_result.image.astype(int) - portrait).max() <= 2, "unchanged landmarks: the photo"
    shown: list[str] = []
    show = window.show_result

    def recording(request, answer):  # every result the page is handed, as its header then reads
        shown_now = show(request, answer)
        shown.append(window.result_header.text())
        return shown_now

    window.show_result = recording
    first = window.last_result
    start = window.canvas.joint_viewport_pos(LIP)
    drag(qtbot, window.canvas, start, start + QPoint(0, 25))
    assert window.document.undo_stack.count() == 1 and window.document.pose.xy[LIP][1] > xy[LIP][1]
    qtbot.waitUntil(lambda: window.last_result is not first and window.idle, timeout=20000)
    assert any("drag preview" in text for text in shown), "the drag showed previews before the release"
    assert "drag preview" not in window.result_header.text(), "the settled result replaces the previews"
    changed = np.abs(window.last_result.image.astype(int) - portrait).max(axis=2) > 8
    ys, _xs = np.nonzero(changed)
    assert len(ys) and ys.min() > xy[30, 1], "only the face below the nose tip moves when the lower lip is pulled"
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(window.document.pose.xy, xy)


def test_with_a_face_checkpoint_a_drag_renders_the_face_and_both_save(qtbot, weights_store, editor, tmp_path,
                                                                         monkeypatch):
    import_small_checkpoint("face", tmp_path, monkeypatch)
    window = open_face(qtbot, editor)
    qtbot.waitUntil(lambda: window.last_result is not None and window.idle, timeout=30000)
    assert not window.checkpoint_banner.isVisible()
    first = window.last_result
    portrait = window.portrait.image
    assert first.image.shape == portrait.shape and first.network_image.shape == (256, 256, 3)
    start = window.canvas.joint_viewport_pos(LIP)
    drag(qtbot, window.canvas, start, start + QPoint(0, 30))
    qtbot.waitUntil(lambda: window.last_result is not first and window.idle, timeout=30000)
    assert not np.array_equal(window.last_result.network_image, first.network_image)
    np.testing.assert_array_equal(window.result_view.rgb, window.last_result.image)
    x0, y0, x1, y1 = (int(v) for v in window.last_result.extras["box"])
    outside = np.ones(portrait.shape[:2], bool)
    outside[max(y0, 0):y1, max(x0, 0):x1] = False
    np.testing.assert_array_equal(window.last_result.image[outside], portrait[outside])  # only the face box changes
    assert window.save_result(str(tmp_path / "face.png")) and window.save_landmarks(str(tmp_path / "marks.json"))
    from core.imageio_utils import load_image

    assert load_image(tmp_path / "face.png").shape == portrait.shape
    saved = json.loads((tmp_path / "marks.json").read_text())
    assert saved["layout"] == "face68" and len(saved["landmarks"]) == 68
    dragged = window.document.pose
    window.document.undo_stack.undo()
    assert window.load_landmarks(str(tmp_path / "marks.json"))
    np.testing.assert_allclose(window.document.pose.xy, dragged.xy, atol=1e-3)


@pytest.mark.parametrize(("progressive", "reported"), [(False, ["c"]), (True, ["a", "c"])])
def test_only_newer_face_results_are_reported_and_a_replaced_request_never_runs(qtbot, editor, progressive,
                                                                                  reported):
    """Renders report only the newest request; drag previews (progressive) each result newer than the last shown."""
    from app.jobs import JobSlot

    latest = JobSlot(editor.client.jobs, "test", progressive=progressive)
    seen, ran = [], []
    latest.finished.connect(lambda gen, value: seen.append(value))

    def slow(name):
        def fn(ctx):
            ran.append(name)
            time.sleep(0.25)
            return name
        return fn

    latest.request(slow("a"))
    qtbot.waitUntil(lambda: ran == ["a"], timeout=5000)
    latest.request(slow("b"))  # while "a" runs: waits, then is replaced by "c"
    latest.request(slow("c"))
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert seen == reported and ran == ["a", "c"]


def test_a_long_job_waits_for_the_worker_and_a_cancelled_waiting_job_never_runs(qtbot, editor):
    from app.jobs import LONG, Job, JobSlot

    jobs = editor.client.jobs
    busy = JobSlot(jobs, "busy")
    order: list[str] = []
    busy.request(lambda res: (time.sleep(0.3), order.append("short"))[1])
    long_job = Job("long", lambda res: order.append("long") or 42)
    results: list[object] = []
    long_job.finished.connect(results.append)
    assert jobs.start_long(long_job) and jobs.waiting(LONG)  # behind the short job
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert order == ["short", "long"] and not jobs.waiting(LONG)
    busy.request(lambda res: time.sleep(0.3))
    never = Job("never", lambda res: order.append("never"))
    cancelled: list[bool] = []
    never.cancelled.connect(lambda: cancelled.append(True))
    assert jobs.start_long(never)
    never.cancel()
    qtbot.waitUntil(lambda: cancelled == [True] and busy.idle, timeout=5000)
    assert "never" not in order
    # behind another long job it does not wait: it says so at once, posting nothing
    blocker = Job("blocker", lambda res: time.sleep(0.5))
    assert jobs.start_long(blocker)
    refused = Job("refused", lambda res: order.append("refused"))
    assert not jobs.start_long(refused)
    assert jobs.running_long is blocker  # the refused job took nobody's place
    qtbot.waitUntil(lambda: blocker.done, timeout=5000)
    assert "refused" not in order


# ----- the novel-view dialog -----------------------------------------------------------------------
def test_the_view_dialog_without_a_checkpoint_names_the_file_and_stays_out_of_the_way(qtbot, weights_store, editor):
    dialog = editor.face_tools.show_view_dialog()
    qtbot.waitUntil(lambda: dialog.idle and dialog.checkpoint_missing != "Looking for the ShapeNet checkpoint…",
                    timeout=10000)
    assert dialog.notice.isVisible() and "needs the published ShapeNet checkpoint" in dialog.notice.text()
    assert "python main.py weights import PATH" in dialog.notice.text()
    assert not dialog.azimuth.isEnabled() and not dialog.open_button.isEnabled() and not dialog.isModal()


def test_the_view_dialog_renders_the_snapped_view_and_saves_it(qtbot, weights_store, editor, tmp_path, monkeypatch):
    import_small_checkpoint("shapenet", tmp_path, monkeypatch)
    dialog = editor.face_tools.show_view_dialog()
    qtbot.waitUntil(lambda: dialog.idle and dialog.checkpoint_missing is None, timeout=10000)
    assert not dialog.notice.isVisible() and dialog.azimuth.isEnabled()
    dialog.open_photo(PORTRAIT)
    qtbot.waitUntil(lambda: dialog.last_result is not None and dialog.idle, timeout=20000)
    first = dialog.last_result
    dialog.azimuth_slider.setValue(95)
    dialog.elevation.setValue(12)
    assert dialog.snapped_label.text() == "Trained view used: azimuth 100°, elevation 10°"
    qtbot.waitUntil(lambda: dialog.last_result is not first and dialog.idle, timeout=20000)
    ex = dialog.last_result.extras
    assert (ex["azimuth_deg"], ex["elevation_deg"]) == (100.0, 10.0)
    assert dialog.last_result.image.shape == (256, 256, 3)
    assert not np.array_equal(dialog.last_result.image, first.image)
    np.testing.assert_array_equal(dialog.result_view.rgb, dialog.last_result.image)
    assert dialog.save_result(str(tmp_path / "view.png")) and (tmp_path / "view.png").stat().st_size > 0


def test_a_landmarks_file_for_another_image_size_is_scaled_and_a_wrong_one_is_refused(tmp_path):
    from app.face.files import read_landmarks, write_landmarks
    from core.errors import PoseError

    xy = face_points(200, 100)
    xy[5] = np.nan
    write_landmarks(tmp_path / "m.json", xy, (200, 100), "p.png")
    back = read_landmarks(tmp_path / "m.json", (400, 300))
    np.testing.assert_allclose(back, xy * [2, 3], atol=0.01)
    assert np.isnan(back[5]).all()
    (tmp_path / "bad.json").write_text('{"layout": "body18", "landmarks": []}')
    with pytest.raises(PoseError, match="bad.json is not a face68 landmarks file"):
        read_landmarks(tmp_path / "bad.json")


def test_importing_the_face_checkpoint_from_the_window_switches_to_the_network(qtbot, weights_store, editor, tmp_path,
                                                                              monkeypatch):
    from core.gfla.checkpoint import state_dict_for_saving
    from core.gfla.configs import CONFIGS, FaceConfig
    from core.gfla.factory import build_model

    window = open_face(qtbot, editor)
    qtbot.waitUntil(lambda: window.last_result is not None and window.idle, timeout=20000)
    assert window.last_result.renderer.startswith("Landmark mesh warp")
    cfg = FaceConfig(**SMALL)
    monkeypatch.setitem(CONFIGS, "face", cfg)
    torch.manual_seed(3)
    path = tmp_path / "latest_net_G.pth"
    torch.save(state_dict_for_saving(build_model(cfg)), path)
    assert window.import_checkpoint(str(path)) is not None
    qtbot.waitUntil(lambda: window.last_result.renderer.startswith("GFLA face") and window.idle, timeout=30000)
    assert not window.checkpoint_banner.isVisible() and "GFLA face" in window.result_header.text()
    wrong = tmp_path / "not_a_checkpoint.pth"
    wrong.write_bytes(b"nonsense")
    window.import_checkpoint(str(wrong))
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10000)
    assert "not_a_checkpoint.pth" in window.banner.text()


def test_the_face_stays_framed_when_the_window_is_resized_until_the_user_zooms(qtbot, face_canvas):
    canvas, _doc = face_canvas
    box = (150.0, 150.0, 250.0, 250.0)
    canvas.focus_on(box)
    for size in ((320, 240), (900, 700)):
        canvas.resize(*size)
        qtbot.wait(20)
        seen = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        assert seen.left() <= box[0] + 1 and seen.right() >= box[2] - 1 and seen.top() <= box[1] + 1
        assert seen.bottom() >= box[3] - 1 and seen.width() < 400, "the face box fills the view, not the photo"
    canvas.zoom_by(2.0)
    before = canvas.transform().m11()
    canvas.resize(400, 300)
    qtbot.wait(20)
    assert canvas.transform().m11() == pytest.approx(before), "after a zoom the user's view is kept"
