"""Exports read back with the right frame count, fps and size, and a failed or cancelled one leaves nothing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import Cancelled, ExportError
from core.export import _explain, gif_size, open_writer, probe_video


def _frames(n: int, size: tuple[int, int]):
    w, h = size
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[..., 0] = (i * 9) % 256
        f[:, (i * 3) % w] = (255, 255, 0)
        yield f


def _write(out: Path, fps: float, size: tuple[int, int], n: int) -> None:
    """``n`` frames of ``size`` through ``open_writer`` to ``out`` at ``fps``."""
    with open_writer(out, fps, size) as w:
        for f in _frames(n, size):
            w.append(f)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(("size", "expected"), [((160, 120), (160, 120)), ((161, 121), (162, 122))])
def test_mp4_reads_back_with_frame_count_fps_and_even_size(tmp_path: Path, size, expected) -> None:
    out = tmp_path / "anim.mp4"
    _write(out, 12, size, 30)
    meta = probe_video(out)
    assert meta["frames"] == 30
    assert meta["fps"] == pytest.approx(12.0)
    assert meta["size"] == expected
    assert meta["codec"].startswith("h264")
    assert _leftovers(tmp_path) == ["anim.mp4"]


def test_mp4_keeps_the_projects_fractional_fps(tmp_path: Path) -> None:
    out = tmp_path / "ntsc.mp4"
    _write(out, 29.97, (64, 48), 10)
    assert probe_video(out)["fps"] == pytest.approx(29.97, abs=0.01)


def test_gif_loops_with_the_frame_count_and_duration_and_a_capped_size(tmp_path: Path) -> None:
    out = tmp_path / "anim.gif"
    _write(out, 10, (641, 361), 20)
    with Image.open(out) as im:
        assert im.n_frames == 20
        assert im.size == gif_size((641, 361), 480) == (480, 270)
        assert im.info["loop"] == 0
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
    assert np.mean(durations) == pytest.approx(100, abs=5)  # ms per frame at 10 fps
    assert _leftovers(tmp_path) == ["anim.gif"]


def test_small_odd_gif_is_not_enlarged(tmp_path: Path) -> None:
    out = tmp_path / "small.gif"
    _write(out, 8, (33, 21), 4)
    with Image.open(out) as im:
        assert im.size == (33, 21) and im.n_frames == 4


def test_png_sequence_folder_appears_whole(tmp_path: Path) -> None:
    out = tmp_path / "frames"
    _write(out, 24, (31, 17), 5)
    names = _leftovers(out)
    assert names == [f"frame_{i:05d}.png" for i in range(5)]
    with Image.open(out / names[3]) as im:
        assert im.size == (31, 17)
        np.testing.assert_array_equal(np.asarray(im), list(_frames(5, (31, 17)))[3])
    assert _leftovers(tmp_path) == ["frames"]
    _write(out, 24, (31, 17), 2)  # a second export replaces the earlier frames
    assert len(_leftovers(out)) == 2 and _leftovers(tmp_path) == ["frames"]


@pytest.mark.parametrize("name", ["anim.mp4", "anim.gif", "frames"])
def test_a_cancelled_export_leaves_no_output_and_no_temporary_files(tmp_path: Path, name: str) -> None:
    with pytest.raises(Cancelled):
        with open_writer(tmp_path / name, 12, (64, 48)) as w:
            for i, f in enumerate(_frames(10, (64, 48))):
                if i == 6:
                    raise Cancelled("stop")
                w.append(f)
    assert _leftovers(tmp_path) == []


def test_a_cancelled_export_leaves_an_earlier_file_untouched(tmp_path: Path) -> None:
    out = tmp_path / "anim.mp4"
    out.write_bytes(b"earlier export")
    w = open_writer(out, 12, (64, 48))
    for f in _frames(3, (64, 48)):
        w.append(f)
    w.abort()
    assert out.read_bytes() == b"earlier export"
    assert _leftovers(tmp_path) == ["anim.mp4"]


def test_an_unwritable_or_missing_folder_gives_a_clear_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        open_writer(tmp_path / "nope" / "anim.mp4", 12, (64, 48))
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        target: Path | None = locked / "anim.mp4"
    else:  # root ignores folder permissions; sysfs still refuses new files
        target = Path("/sys/anim.mp4") if Path("/sys").is_dir() else None
    if target is not None:
        for t in (target, target.with_suffix(".gif"), target.with_suffix("")):
            with pytest.raises(ExportError, match="permission denied"):
                open_writer(t, 12, (64, 48))


def test_a_full_disk_is_reported_in_plain_words() -> None:
    msg = _explain(Path("/media/x/anim.mp4"), "av_interleaved_write_frame(): No space left on device\nError ...")
    assert msg == "cannot write /media/x/anim.mp4: the disk is full"


def test_frames_of_the_wrong_size_or_type_are_refused_and_the_export_is_dropped(tmp_path: Path) -> None:
    out = tmp_path / "anim.mp4"
    with pytest.raises(ExportError, match="this export takes"):
        with open_writer(out, 12, (64, 48)) as w:
            w.append(np.zeros((48, 64, 3), np.uint8))
            w.append(np.zeros((48, 63, 3), np.uint8))
    with pytest.raises(ExportError, match="no frames"):
        with open_writer(out, 12, (64, 48)):
            pass
    assert _leftovers(tmp_path) == []
    with pytest.raises(ExportError, match="format"):
        open_writer(tmp_path / "anim.avi", 12, (64, 48))
