"""Animation work in the editor: export through the dialog with the warp renderer (valid file, or nothing when
cancelled), long jobs in the worker, project save / new / open, malformed projects, autosave and recovery,
and motion import from OpenPose JSON with a smoother."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fixture_files import fixture_file
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.jobs import Job
from app.timeline.export_dialog import ExportSettings
from core.export import probe_video
from core.pose_io import write_openpose_json
from core.skeleton import JOINT_INDEX

WRIST = JOINT_INDEX["right_wrist"]


@pytest.fixture
def warp_editor(qtbot, tmp_path, photo_path):
    """A main window rendering with the real skeleton-warp renderer (and a fake detector)."""
    from conftest import FakeDetector

    from app.main_window import MainWindow
    from app.services import Services
    from app.settings import Settings

    services = Services(get_detector=lambda backend: FakeDetector())
    window = MainWindow(Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)), services)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.client.rendered, timeout=20000):
        window.open_photo(photo_path)
    yield window
    window.shutdown()
    assert window.client.worker_thread.isFinished()


def _animate(win, frames: int = 12, fps: float = 12.0) -> None:
    ctl, doc = win.timeline.ctl, win.document
    ctl.set_length(frames)
    ctl.set_fps(fps)
    ctl.add_key(0)
    ctl.add_key(frames - 1, doc.pose.with_joint(WRIST, (40.0, 80.0)))


def _run(qtbot, job: Job | None, timeout: int = 60000) -> tuple:
    """Wait for ``job`` to end and for its signals to reach the GUI thread; returns its outcome."""
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=timeout)
    QApplication.processEvents()  # deliver its signals, all posted before ``done`` turned True
    return job.outcome


def test_export_through_the_dialog_writes_an_mp4_with_every_frame(qtbot, warp_editor, tmp_path):
    _animate(warp_editor, frames=6, fps=12.0)
    dlg = warp_editor.timeline.show_export()
    out = tmp_path / "walk.mp4"
    dlg.path_edit.setText(str(out))
    dlg.width_spin.setValue(120)
    kind, done = _run(qtbot, dlg.start())
    assert kind == "finished", done
    info = probe_video(out)
    assert info["frames"] == 6 and info["size"] == (120, 180) and abs(info["fps"] - 12.0) < 0.01
    assert "Exported 6 frames" in dlg.status.text()
    assert warp_editor.client.idle or warp_editor.client.busy_text == ""


def test_a_gif_with_the_skeleton_beside_it_is_twice_as_wide(qtbot, editor, tmp_path):
    _animate(editor, frames=4, fps=8.0)
    dlg = editor.timeline.show_export()
    out = tmp_path / "loop.gif"
    kind, _ = _run(qtbot, dlg.start(ExportSettings(str(out), "gif", 8.0, 60, skeleton_beside=True)))
    assert kind == "finished"
    info = probe_video(out)
    assert info["frames"] == 4 and info["size"] == (120, 90)


def test_a_cancelled_export_leaves_no_file_and_the_editor_keeps_working(qtbot, editor, tmp_path, fake_renderers):
    fake_renderers["warp"].delay = 0.05  # 200 frames would take 10 s: plenty of time to cancel
    _animate(editor, frames=200, fps=24.0)
    dlg = editor.timeline.show_export()
    out = tmp_path / "never.mp4"
    dlg.path_edit.setText(str(out))
    job = dlg.start()
    qtbot.waitUntil(lambda: dlg.progress.value() >= 2, timeout=10000)
    assert "frame" in dlg.status.text() and "left" in dlg.status.text()  # frames done and time left
    dlg.cancel_button.click()
    kind, _ = _run(qtbot, job)
    assert kind == "cancelled"
    assert not out.exists() and list(tmp_path.glob("*never*")) == []
    assert "nothing was written" in dlg.status.text()
    with qtbot.waitSignal(editor.client.rendered, timeout=5000):  # the worker still renders edits
        editor.document.move_joint(WRIST, (30.0, 30.0), "move")


def test_a_failing_job_shows_its_error_in_the_banner_and_the_next_job_runs(qtbot, editor):
    def boom(ctx):
        raise RuntimeError("the disk caught fire")

    kind, message = _run(qtbot, _post(editor, Job("Exploding", boom)))
    assert kind == "failed" and "the disk caught fire" in message
    assert editor.banner.kind == "error" and "Exploding failed" in editor.banner.text()
    kind, value = _run(qtbot, _post(editor, Job("Adding", lambda ctx: 1 + 1)))
    assert (kind, value) == ("finished", 2)


def _post(win, job: Job) -> Job:
    assert win.timeline.run_job(job)
    return job


def test_only_one_long_job_runs_at_a_time(qtbot, editor):
    import threading

    gate = threading.Event()
    first = _post(editor, Job("Waiting", lambda ctx: gate.wait(5)))
    second = Job("Second", lambda ctx: None)
    assert not editor.timeline.run_job(second)
    gate.set()
    assert _run(qtbot, first)[0] == "finished"


def test_project_save_new_open_restores_the_photo_pose_and_track(qtbot, editor, tmp_path):
    tl, doc = editor.timeline, editor.document
    _animate(editor, frames=30, fps=15.0)
    tl.ctl.set_interp("ease", 0)
    saved = tl.ctl.track
    path = tmp_path / "dance.gflaproj"
    assert tl.project.save_as(path)
    assert path.is_file() and not tl.project.dirty and editor.windowTitle().startswith("dance.gflaproj")
    tl.project.confirm_discard = lambda what: True
    assert tl.project.new_project()
    assert len(tl.ctl.track) == 0 and tl.project.path is None and doc.pose == doc.detected
    with qtbot.waitSignal(doc.photoChanged, timeout=5000):
        assert tl.project.open_project(path)
    assert tl.ctl.track == saved and tl.project.path == path.resolve()
    np.testing.assert_array_equal(doc.image, editor.services.load_image(str(tl.project._photo_file())))
    assert not tl.project.dirty and doc.undo_stack.count() == 0


@pytest.mark.parametrize("with_keys", [False, True], ids=["no-keyframes", "between-keyframes"])
def test_an_unkeyed_canvas_pose_is_saved_with_the_project_and_restored_on_open(qtbot, editor, tmp_path, with_keys):
    tl, doc = editor.timeline, editor.document
    if with_keys:
        _animate(editor, frames=24)
        tl.ctl.set_frame(6)
    edited = doc.pose.with_joint(WRIST, (55.5, 101.25))
    doc.commit(edited, "move the wrist")  # not keyed
    assert not tl.ctl.pose_is_keyed()
    saved = tl.ctl.track
    path = tmp_path / "edit.gflaproj"
    assert tl.project.save_as(path)
    assert "Key" not in editor.statusBar().currentMessage()  # nothing to warn about: the pose is kept
    tl.project.confirm_discard = lambda what: True
    assert tl.project.new_project() and doc.pose == doc.detected
    with qtbot.waitSignal(doc.photoChanged, timeout=5000):
        assert tl.project.open_project(path)
    assert doc.pose == edited and tl.ctl.track == saved
    assert not tl.project.dirty and doc.undo_stack.count() == 0
    qtbot.waitUntil(lambda: editor.client.idle, timeout=5000)  # and the result shows it: the fake renderer
    assert (editor.result_view.composed_rgb()[101, 55] == 255).all()  # marks each joint with a white square


def test_a_photo_that_arrives_before_the_projects_own_does_not_take_its_track(qtbot, editor, tmp_path, photo_path):
    tl = editor.timeline
    _animate(editor)
    saved = tl.ctl.track
    path = tmp_path / "p.gflaproj"
    assert tl.project.save_as(path)
    tl.project.confirm_discard = lambda what: True
    tl.project.new_project()
    editor.open_photo(photo_path)  # still loading when the project is opened
    assert tl.project.open_project(path)
    qtbot.waitUntil(lambda: tl.project.path == path.resolve(), timeout=5000)
    assert tl.ctl.track == saved


@pytest.mark.parametrize("content", ["{ not json", json.dumps({"format": "gfla-pose-studio-project", "version": 99}),
                                     json.dumps({"format": "gfla-pose-studio-project", "version": 1, "photo": {}})])
def test_a_malformed_or_newer_project_shows_a_banner_and_changes_nothing(qtbot, editor, tmp_path, content):
    tl, doc = editor.timeline, editor.document
    _animate(editor)
    track, pose, image = tl.ctl.track, doc.pose, doc.image
    bad = tmp_path / "bad.gflaproj"
    bad.write_text(content)
    assert not tl.project.open_project(bad, ask=False)
    assert editor.banner.kind == "error" and "Could not open the project" in editor.banner.text()
    qtbot.wait(50)
    assert tl.ctl.track is track and doc.pose == pose and doc.image is image and tl.project.path is None


def test_autosave_writes_a_recovery_file_that_the_next_start_offers_back(qtbot, editor, tmp_path, monkeypatch):
    monkeypatch.setenv("GFLA_STUDIO_DATA", str(tmp_path / "data"))
    from core.project_file import find_recovery

    tl = editor.timeline
    tl.project.start_autosave(interval_ms=3_600_000)
    assert not tl.project.recovery_banner.isVisible() and not tl.project.autosave_now()  # nothing to save yet
    _animate(editor)
    track = tl.ctl.track
    assert tl.project.autosave_now() and find_recovery() is not None
    assert not tl.project.autosave_now()  # no new edits since
    tl.project.on_close()  # closing with unsaved edits keeps them for the next start
    tl.project.confirm_discard = lambda what: True
    tl.project.new_project()
    assert tl.project.check_recovery() and tl.project.recovery_banner.isVisible()
    with qtbot.waitSignal(editor.document.photoChanged, timeout=5000):
        tl.project.recovery_banner.recover_button.click()
    assert tl.ctl.track == track and tl.project.dirty and not tl.project.recovery_banner.isVisible()
    assert tl.project.save_as(tmp_path / "kept.gflaproj")
    assert find_recovery() is None  # saved: nothing left to recover


def _write_motion(folder, frames: int = 40, seed: int = 1) -> np.ndarray:
    """A swinging-arm motion with 3 px jitter as OpenPose JSON files; returns the clean (T, 18, 2) motion."""
    from conftest import standing_pose_xy

    rng = np.random.default_rng(seed)
    base = standing_pose_xy(200, 300)
    t = np.arange(frames)
    clean = np.repeat(base[None], frames, axis=0)
    clean[:, WRIST, 0] += 30 * np.sin(t / 6.0)
    noisy = clean + rng.normal(0, 3.0, clean.shape)
    folder.mkdir()
    for i in range(frames):
        write_openpose_json(folder / f"frame{i}.json", noisy[i], canvas_size=(200, 300))
    return clean


def test_motion_from_openpose_json_is_smoothed_fitted_and_thinned_into_one_undo_step(qtbot, editor, tmp_path):
    from core.animation.smoothing import mean_acceleration

    _write_motion(tmp_path / "poses", frames=40)
    dlg = editor.timeline.show_import()
    kind, motion = _run(qtbot, dlg.load(str(tmp_path / "poses")))
    assert kind == "finished" and len(motion) == 40 and "40 frames" in dlg.info.text()
    dlg.set_smoother("savgol")
    curves = dlg.plot.curve_data()
    assert not np.allclose(curves["x raw"][1], curves["x cleaned"][1])  # the plot shows the effect
    assert mean_acceleration(dlg.cleaned) < 0.6 * mean_acceleration(motion.xy)
    assert "→" in dlg.plot.stats.text()
    dlg.retarget.setChecked(True)
    dlg.thin.setChecked(True)
    before = editor.timeline.ctl.track
    dlg.import_button.click()
    track = editor.timeline.ctl.track
    assert track.length_frames == 40 and 2 <= len(track) < 40 and track.fps == motion.fps
    person = editor.document.detected.xy
    assert abs(np.nanmean(track.pose_at(0).xy[:, 1]) - np.nanmean(person[:, 1])) < 0.25 * np.ptp(person[:, 1])
    editor.document.undo_stack.undo()
    assert editor.timeline.ctl.track is before


def test_a_cancelled_motion_import_changes_nothing(qtbot, editor, tmp_path):
    _write_motion(tmp_path / "poses", frames=10)
    dlg = editor.timeline.show_import()
    job = dlg.load(str(tmp_path / "poses"))
    job.cancel()
    kind, _ = _run(qtbot, job)
    assert kind in ("cancelled", "finished")  # it may finish before the cancel arrives
    if kind == "cancelled":
        assert dlg.motion is None and not dlg.import_button.isEnabled()


def test_motion_from_a_video_is_detected_frame_by_frame_in_the_worker(qtbot, editor, tmp_path):
    import imageio_ffmpeg

    path = tmp_path / "clip.mp4"
    writer = imageio_ffmpeg.write_frames(str(path), (64, 96), fps=10, macro_block_size=1)
    writer.send(None)
    for i in range(12):
        writer.send(np.full((96, 64, 3), 20 * i, np.uint8).tobytes())
    writer.close()
    dlg = editor.timeline.show_import()
    kind, motion = _run(qtbot, dlg.load(str(path)))
    assert kind == "finished", motion
    assert len(motion) == 12 and motion.frame_size == (64, 96) and abs(motion.fps - 10) < 1e-6
    assert not np.isnan(motion.xy).any()  # the (fake) detector found the person in every frame
    dlg.thin.setChecked(False)  # keep every frame
    dlg.retarget.setChecked(False)
    dlg.import_button.click()
    assert len(editor.timeline.ctl.track) == 12


def test_the_network_smoother_runs_in_the_worker_and_its_curve_is_plotted(qtbot, editor, tmp_path):
    import torch

    from app.timeline.motion_dialog import MotionImportDialog

    fixture_path = fixture_file("keypoint.pt")
    from core.gfla.checkpoint import load_model
    from core.gfla.configs import KeypointConfig

    fixture = torch.load(fixture_path, weights_only=True)
    cfg = {k: fixture["config"][k] for k in ("structure_nc", "channels", "layers") if k in fixture["config"]}
    model = load_model(fixture["state_dict"], kind="dance_keypoint", config=KeypointConfig(**cfg)).model
    _write_motion(tmp_path / "poses", frames=30)
    dlg = MotionImportDialog(editor.timeline.run_job, editor.document.detected, ["keypoint.pt"],
                             keypoint_loader=lambda path: model, parent=editor)
    assert _run(qtbot, dlg.load(str(tmp_path / "poses")))[0] == "finished"
    dlg.set_smoother("network")
    assert dlg.job is not None and not dlg.import_button.isEnabled()  # running in the worker
    kind, cleaned = _run(qtbot, dlg.job)
    assert kind == "finished" and cleaned.shape == (30, 18, 2)
    assert dlg.cleaned is cleaned and dlg.import_button.isEnabled()
    x_clean = dlg.plot.curve_data()["x cleaned"][1]
    np.testing.assert_array_equal(x_clean, cleaned[:, WRIST, 0])
