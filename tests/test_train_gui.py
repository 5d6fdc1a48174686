"""Tools → Fine-tune on a Video runs in the editor's worker with progress and cancel, then renders with the result."""

from __future__ import annotations

import threading
from functools import partial

from app.tools_finetune import FinetuneDialog, finetune_job_fn


def _open_dialog(editor) -> FinetuneDialog:
    tools = next(a.menu() for a in editor.menuBar().actions() if a.text().replace("&", "") == "Tools")
    action = next(a for a in tools.actions() if a.text().startswith("Fine-tune on a Video"))
    action.trigger()
    return editor.finetune_dialog


def test_fine_tune_menu_entry_runs_the_job_with_progress_and_uses_the_result(editor, qtbot, tmp_path):
    calls = {}

    def fake_finetune(weights, video, out, options, progress, cancel, echo, detector):
        calls.update(weights=weights, video=video, out=out, iterations=options.iterations, detector=detector)
        for i in range(1, 4):
            progress(i * 250, 1000, f"[finetune] it {i}")
        return tmp_path / "ft" / "finetuned_net_G.safetensors"

    dlg = _open_dialog(editor)
    dlg.job_fn = partial(finetune_job_fn, finetune=fake_finetune, import_weights=lambda p: p)
    dlg.video.setText(str(tmp_path / "me.mp4"))
    dlg.weights.setCurrentText(str(tmp_path / "start.safetensors"))
    dlg.iterations.setValue(7)
    with qtbot.waitSignal(editor.client.rendererChanged, timeout=10000):
        job = dlg.start()
        assert job is not None
        qtbot.waitUntil(lambda: job.done, timeout=10000)
    assert calls["iterations"] == 7 and calls["detector"] is not None
    assert calls["out"].endswith("me-finetune")
    assert dlg.result_path.endswith("finetuned_net_G.safetensors")
    assert editor.settings.checkpoint == dlg.result_path
    assert "Done" in dlg.status.text()
    dlg.close()


def test_cancelling_fine_tuning_stops_the_job(editor, qtbot, tmp_path):
    started = threading.Event()

    def slow_finetune(weights, video, out, options, progress, cancel, echo, detector):
        from core.errors import Cancelled

        started.set()
        while not cancel():
            threading.Event().wait(0.01)
        raise Cancelled("fine-tuning cancelled")

    dlg = _open_dialog(editor)
    dlg.job_fn = partial(finetune_job_fn, finetune=slow_finetune, import_weights=lambda p: p)
    dlg.video.setText(str(tmp_path / "me.mp4"))
    dlg.weights.setCurrentText(str(tmp_path / "start.safetensors"))
    job = dlg.start()
    assert started.wait(10)
    with qtbot.waitSignal(job.cancelled, timeout=10000):
        dlg.cancel_button.click()
    assert "cancelled" in dlg.status.text()
    assert editor.settings.checkpoint != str(tmp_path / "ft" / "finetuned_net_G.safetensors")


def test_fine_tuning_needs_a_video_and_weights(editor):
    dlg = _open_dialog(editor)
    assert dlg.start() is None
    assert "Choose a video" in dlg.status.text()
