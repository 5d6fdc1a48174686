"""Fault catalogue, crash safety: a real subprocess killed with SIGKILL at random points while saving a project,
autosaving and exporting; SIGINT during ``animate``; a full disk and a read-only folder (small tmpfs mounts)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.animation.keyframes import Keyframe, Track
from core.animation.sequence import synthetic_person
from core.atomic import WriteError
from core.project_file import Project, find_recovery, load_project, save_project

REPO = Path(__file__).resolve().parents[1]
KILLS = 4  # random kill points per writer; each costs one interpreter start (~1 s)

SAVE_LOOP = """
import os, sys, numpy as np
from core.animation.keyframes import Keyframe, Track
from core.animation.sequence import synthetic_person
from core.project_file import Project, autosave, save_project
image, pose = synthetic_person(64)
image = np.random.default_rng(0).integers(0, 255, (384, 384, 3), dtype=np.uint8)  # ~600 kB embedded: slow writes
target, i = sys.argv[1], 0
while True:
    i += 1
    project = Project(image, pose, Track((Keyframe(0, pose),), length_frames=i, fps=12))
    save_project(project, target)
    autosave(project, target)
    if i == 1:
        print("ready", flush=True)
"""

EXPORT_LOOP = """
import sys, numpy as np
from core.export import open_writer
target, frames = sys.argv[1], np.random.default_rng(0).integers(0, 255, (12, 96, 96, 3), dtype=np.uint8)
first = True
while True:
    with open_writer(target, 12, (96, 96)) as w:
        for f in frames:
            w.append(f)
    if first:
        print("ready", flush=True)
        first = False
"""


def _run_and_kill(script: str, target: Path, delay: float | None, env: dict[str, str]) -> None:
    """Start ``script`` writing ``target`` over and over, wait for its first complete write, SIGKILL its whole
    process group (ffmpeg included) ``delay`` seconds later, or (None) the moment a temp file shows up."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
        if delay is not None:
            time.sleep(delay)
        deadline = time.monotonic() + 5
        while delay is None and not _temps(target.parent) and time.monotonic() < deadline:
            pass  # spin: the write window of a project save is a few milliseconds
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".part" in p.name]


def test_sigkill_while_saving_and_autosaving_leaves_a_whole_file_and_temps_are_cleaned(tmp_path: Path) -> None:
    """case: process killed (SIGKILL) at random points while saving a project and autosaving | expected: the
    file under the final name is always a whole project, temp files removed on next start | checks: 4 random
    kills, load_project after each, find_recovery (start-up) and the next save leave no .part file"""
    env = {**os.environ, "GFLA_STUDIO_DATA": str(tmp_path / "data"), "PYTHONPATH": str(REPO)}
    os.environ["GFLA_STUDIO_DATA"] = env["GFLA_STUDIO_DATA"]
    target = tmp_path / "walk.gflaproj"
    rng, lengths, mid_write = random.Random(20), [], 0
    try:
        for k in range(KILLS):
            _run_and_kill(SAVE_LOOP, target, rng.uniform(0.0, 0.4) if k % 2 else None, env)
            mid_write += bool(_temps(tmp_path))
            lengths.append(load_project(target).track.length_frames)  # whole: it parses and validates
            recovery = find_recovery()  # what start-up does: offers the autosave, cleans dead writers' temps
            assert recovery is not None and load_project(recovery).origin == target.resolve()
            assert not _temps(recovery.parent)
            save_project(load_project(target), target)  # the next save cleans this folder's stale temps
            assert not _temps(tmp_path)
    finally:
        os.environ.pop("GFLA_STUDIO_DATA", None)
    assert all(n >= 1 for n in lengths)
    print(f"{mid_write} of {KILLS} kills landed mid-write")


@pytest.mark.parametrize("name", ["clip.gif", "clip.mp4"])
def test_sigkill_while_exporting_leaves_the_previous_export_whole(tmp_path: Path, name: str) -> None:
    """case: process killed (SIGKILL) at random points while exporting GIF/MP4 | expected: the previous export
    stays whole, no half file under the final name, temps cleaned by the next export | checks: 3 random kills,
    the file decodes with all 12 frames, .part files gone after the next open_writer"""
    from core.export import open_writer, probe_video

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    target = tmp_path / name
    rng = random.Random(name)
    for _ in range(3):
        _run_and_kill(EXPORT_LOOP, target, rng.uniform(0.0, 0.5), env)
        assert probe_video(target)["frames"] == 12
        with open_writer(target, 12, (96, 96)) as w:  # the next export: removes the killed one's temp file
            w.append(np.zeros((96, 96, 3), np.uint8))
        assert not _temps(tmp_path)


def test_sigint_during_animate_exits_nonzero_and_leaves_the_output_untouched(tmp_path: Path) -> None:
    """case: Ctrl+C (SIGINT) during `animate` | expected: non-zero exit with a message, the existing output
    untouched | checks: rc 130, 'cancelled' on stderr, out.gif bytes unchanged, no temp left"""
    image, pose = synthetic_person(64)
    track = Track((Keyframe(0, pose, "ease"), Keyframe(2000, pose.transformed(1.0, (4, 0)), "linear")), 2400, 24)
    project = save_project(Project(image, pose, track), tmp_path / "long.gflaproj")
    out = tmp_path / "out.gif"
    Image.new("RGB", (8, 8), "red").save(out)
    before = out.read_bytes()
    proc = subprocess.Popen([sys.executable, "main.py", "animate", str(project), "--out", str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 60
    while not _temps(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # rendering has begun once the writer's temp file exists
    assert proc.poll() is None, "animate finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "cancelled" in err and "Traceback" not in err
    assert out.read_bytes() == before and not _temps(tmp_path)


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 1 MiB tmpfs at tmp_path/disk (needs root and mount); skipped with the reason where it cannot be made."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip() or res.returncode}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _big_project(side: int) -> Project:
    _, pose = synthetic_person(64)
    image = np.random.default_rng(side).integers(0, 255, (side, side, 3), dtype=np.uint8)
    return Project(image, pose, Track((Keyframe(0, pose),), 10, 12))


def test_full_disk_gives_a_clear_error_and_keeps_the_previous_file(small_tmpfs: Path) -> None:
    """case: disk full while saving a project | expected: 'the disk is full', previous file intact, no temp |
    checks: a 1 MiB tmpfs, a ~3 MiB project after a small one"""
    target = small_tmpfs / "p.gflaproj"
    save_project(_big_project(32), target)
    before = target.read_bytes()
    with pytest.raises(WriteError, match="disk is full"):
        save_project(_big_project(1024), target)
    assert target.read_bytes() == before and not _temps(small_tmpfs)
    assert json.loads(before)["photo"]["width"] == 32


def test_read_only_folder_gives_a_clear_error_and_keeps_the_file(small_tmpfs: Path) -> None:
    """case: saving into a read-only folder | expected: 'permission denied (choose another folder)', file kept |
    checks: the tmpfs remounted read-only"""
    target = small_tmpfs / "p.gflaproj"
    save_project(_big_project(16), target)
    before = target.read_bytes()
    res = subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {res.stderr.strip()}")
    with pytest.raises(WriteError, match="permission denied"):
        save_project(_big_project(16), target)
    assert target.read_bytes() == before


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temps_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    """case: temp files and PNG staging folders left by killed writers | expected: removed by the next write to
    the same target; a live process's temp kept | checks: a dead pid's .part file and folder go, our own stays"""
    from core.export import open_writer

    dead, alive = _dead_pid(), os.getppid()
    stale_file = tmp_path / f".walk.{dead}-abc123.part.gflaproj"
    live_file = tmp_path / f".walk.{alive}-def456.part.gflaproj"
    stale_dir = tmp_path / f".frames.{dead}-xyz789.part"
    for p in (stale_file, live_file):
        p.write_text("half")
    stale_dir.mkdir()
    (stale_dir / "frame_00000.png").write_bytes(b"half")
    save_project(_big_project(8), tmp_path / "walk.gflaproj")
    assert not stale_file.exists() and live_file.exists()
    with open_writer(tmp_path / "frames", 12, (8, 8), "png") as w:
        w.append(np.zeros((8, 8, 3), np.uint8))
    assert not stale_dir.exists() and (tmp_path / "frames" / "frame_00000.png").is_file()
