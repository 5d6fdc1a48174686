"""Fault catalogue, videos for motion import: no person, one frame, text named .mp4, a folder named .mp4."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.animation.motion_import import MotionError, load_motion
from core.errors import NoPersonFound
from core.export import open_writer


class Nobody:
    """A detector that never finds anyone (what a video of an empty room gives)."""

    name = "nobody"

    def detect(self, image: np.ndarray):
        raise NoPersonFound("nobody here")


class Centre:
    """A detector that finds a fixed standing pose in every frame."""

    name = "centre"

    def detect(self, image: np.ndarray):
        from core.animation.sequence import synthetic_person

        return synthetic_person(64)[1]


def _video(path: Path, frames: int) -> Path:
    with open_writer(path, 12, (64, 64)) as w:
        for i in range(frames):
            w.append(np.full((64, 64, 3), 20 * i % 255, np.uint8))
    return path


def test_a_video_with_no_person_is_refused_with_a_message(tmp_path: Path) -> None:
    """case: motion video in which nobody is found | expected: one-line MotionError naming the file and the
    frame count | checks: 6-frame MP4 with a detector that finds no one"""
    video = _video(tmp_path / "empty room.mp4", 6)
    with pytest.raises(MotionError, match=r"empty room.mp4: no person found in any of its 6 frames"):
        load_motion(video, detector=Nobody())


def test_a_one_frame_video_gives_a_one_frame_motion(tmp_path: Path) -> None:
    """case: motion video of a single frame | expected: a motion of one frame | checks: xy shape (1, 18, 2)"""
    motion = load_motion(_video(tmp_path / "still.mp4", 1), detector=Centre())
    assert motion.xy.shape == (1, 18, 2) and np.isfinite(motion.xy).all()


@pytest.mark.parametrize("content", [b"", b"just some text\n", "folder"])
def test_things_that_are_not_videos_are_refused_naming_the_file(tmp_path: Path, content) -> None:
    """case: empty file, text named .mp4, a folder named .mp4 | expected: one-line MotionError naming it |
    checks: message has the name, no newline"""
    path = tmp_path / "clip.mp4"
    if content == "folder":
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(MotionError) as info:
        load_motion(path, detector=Centre())
    assert "clip.mp4" in str(info.value) and "\n" not in str(info.value)


def test_a_variable_frame_rate_video_keeps_its_duration(tmp_path: Path) -> None:
    """case: motion video of variable frame rate (1 s at 10 fps, then 0.67 s at 30 fps) | expected: a motion as
    long as the clip | checks: frames / fps within 0.25 s of the clip's 1.67 s (it read 3.1 s before)"""
    path = _vfr_video(tmp_path / "vfr.mp4", "color=c=gray:s=64x96:r=30:d=1")
    motion = load_motion(path, detector=Centre())
    assert abs(len(motion) / motion.fps - 1.67) < 0.25, (len(motion), motion.fps)


def _vfr_video(path: Path, source: str) -> Path:
    """30 frames from the ffmpeg ``source`` (a lavfi graph at 30 fps): 10 at 10 fps, then 20 at 30 fps (1.67 s)."""
    import subprocess

    import imageio_ffmpeg

    graph = r"setpts='if(lt(N\,10)\,N/10\,1+(N-10)/30)/TB'"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source,
                    "-vf", graph, "-fps_mode", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
                   check=True)
    return path


def test_a_variable_frame_rate_driving_video_keeps_its_duration(tmp_path: Path) -> None:
    """case: face-driving video of variable frame rate | expected: a driving track as long as the clip, the face
    found | checks: frames / fps within 0.25 s of 1.67 s; a face in most frames"""
    from core.face.animation import track_driving_video

    portrait = Path(__file__).resolve().parents[1] / "resources" / "portrait.png"
    source = f"movie={portrait},loop=30:size=30,setpts=N/30/TB,scale=128:-2,format=yuv420p"
    track = track_driving_video(_vfr_video(tmp_path / "face.mp4", source))
    assert abs(track.frames / track.fps - 1.67) < 0.25, (track.frames, track.fps)
    assert track.seen >= 0.8 * track.frames, "the face is found in the resampled frames"
