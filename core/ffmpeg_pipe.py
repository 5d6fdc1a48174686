"""The ffmpeg side of exporting: a raw-RGB pipe into imageio-ffmpeg's bundled binary, its error messages, and
reading a written video's frame count, fps and size back."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from core.errors import ExportError


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _fps_arg(fps: float) -> str:
    return str(Fraction(fps).limit_denominator(1001))


def _explain(target: Path, stderr: str) -> str:
    low = stderr.lower()
    if "no space left" in low:
        return f"cannot write {target}: the disk is full"
    if "permission denied" in low or "read-only file system" in low:
        return f"cannot write {target}: permission denied (choose another folder)"
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return f"writing {target} failed: {lines[-1] if lines else 'ffmpeg stopped unexpectedly'}"


class FfmpegPipe:
    """An ffmpeg process reading raw RGB frames on stdin; its stderr is kept for error messages."""

    def __init__(self, size: tuple[int, int], fps: float, out_args: list[str], target: Path) -> None:
        self.target = target
        self._err = tempfile.TemporaryFile()
        w, h = size
        cmd = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-vcodec", "rawvideo",
               "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", _fps_arg(fps), "-i", "-", "-an", *out_args]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._err)
        assert self.proc.stdin is not None  # stdin=PIPE always opens it
        self.stdin: IO[bytes] = self.proc.stdin

    def stderr(self) -> str:
        self._err.seek(0)
        return self._err.read().decode("utf-8", "replace")

    def write(self, data: bytes | memoryview) -> None:
        try:
            self.stdin.write(data)
        except (BrokenPipeError, OSError) as exc:
            self.proc.wait()
            raise ExportError(_explain(self.target, self.stderr() or str(exc))) from exc

    def finish(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.stdin.close()
        code = self.proc.wait()
        if code != 0:
            raise ExportError(_explain(self.target, self.stderr()))
        self._err.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(OSError):
            self.stdin.close()
        self.proc.wait()
        self._err.close()


def probe_video(path: str | Path) -> dict[str, Any]:
    """{'frames', 'fps', 'size', 'codec'} of a written MP4 or GIF, read back with imageio-ffmpeg."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    try:
        meta = next(reader)
        frames = sum(1 for _ in reader)
    finally:
        reader.close()
    return {"frames": frames, "fps": float(meta["fps"]), "size": tuple(meta["size"]), "codec": meta.get("codec")}
