"""Streaming writers for animations: MP4 (H.264), GIF (one palette per animation) and PNG sequences.

Every writer has one interface: ``append(frame)`` with an (H, W, 3) uint8 RGB frame of the size given
at ``open_writer``, ``close()`` to finish, ``abort()`` to throw everything away; used as a context
manager it closes on success and aborts on an exception (cancellation included). Output goes to a
temporary path beside the target (core.atomic) and is renamed only when complete, so a cancelled or
failed export leaves nothing behind. Frames go straight to ffmpeg's stdin (imageio-ffmpeg's bundled
binary), so memory stays flat however long the animation is.

- MP4: libx264, yuv420p, the given fps; odd widths/heights are padded by one replicated pixel.
- GIF: frames are shrunk to at most ``gif_max_side`` px on the long side (default 480), kept
  losslessly (FFV1) in a scratch file, then ffmpeg's palettegen/paletteuse makes one palette from all
  frames and writes a looping GIF.
- PNG: ``frame_00000.png`` … in a temporary folder renamed onto the target folder at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import WriteError, atomic_path, clean_stale_temps, explain_os_error, share_permissions
from core.errors import ExportError
from core.ffmpeg_pipe import FfmpegPipe, _explain, ffmpeg_exe, probe_video

__all__ = ["FORMATS", "GIF_MAX_SIDE", "GifWriter", "Mp4Writer", "PngSequenceWriter", "Writer", "_explain",
           "format_for", "gif_size", "open_writer", "probe_video"]

FORMATS: tuple[str, ...] = ("mp4", "gif", "png")
GIF_MAX_SIDE = 480


class Writer:
    """Base of the streaming writers: frame checks, counting, context-manager behaviour."""

    fmt = ""

    def __init__(self, path: str | os.PathLike, fps: float, size: tuple[int, int]) -> None:
        w, h = (int(size[0]), int(size[1]))
        if w < 1 or h < 1:
            raise ExportError(f"cannot export frames of size {w}×{h}")
        if not (np.isfinite(fps) and 0 < fps <= 240):
            raise ExportError(f"frame rate must be between 0 and 240 fps, got {fps}")
        self.path = Path(path)
        self.fps = float(fps)
        self.size = (w, h)
        self.frames_written = 0
        self.closed = False
        self._stack = contextlib.ExitStack()

    def _enter_atomic(self, target: Path) -> Path:
        try:
            return self._stack.enter_context(atomic_path(target))
        except WriteError as exc:
            raise ExportError(str(exc)) from exc

    def _check(self, frame: np.ndarray) -> np.ndarray:
        if self.closed:
            raise ExportError(f"the export to {self.path.name} is already finished")
        frame = np.asarray(frame)
        if frame.ndim == 3 and frame.shape[2] == 4:
            frame = frame[:, :, :3]
        w, h = self.size
        if frame.shape != (h, w, 3) or frame.dtype != np.uint8:
            raise ExportError(
                f"frame {self.frames_written} is {frame.shape} {frame.dtype}; this export takes ({h}, {w}, 3) uint8"
            )
        return np.ascontiguousarray(frame)

    def append(self, frame: np.ndarray) -> None:
        frame = self._check(frame)
        try:
            self._write(frame)
        except BaseException:
            self.abort()
            raise
        self.frames_written += 1

    def close(self) -> Path:
        """Finish the file and move it into place; returns the final path."""
        if self.closed:
            return self.path
        if self.frames_written == 0:
            self.abort()
            raise ExportError("nothing to export: no frames were rendered")
        try:
            self._finish()
            self._stack.close()  # renames the temporary file onto the target
        except WriteError as exc:
            self.abort()
            raise ExportError(str(exc)) from exc
        except BaseException:
            self.abort()
            raise
        self.closed = True
        return self.path

    def abort(self) -> None:
        """Stop and delete everything written so far; the target is left as it was."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self._kill()
        with contextlib.suppress(BaseException):
            self._stack.__exit__(ExportError, ExportError("aborted"), None)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    # subclasses
    def _write(self, frame: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _finish(self) -> None:
        pass

    def _kill(self) -> None:
        pass


class Mp4Writer(Writer):
    fmt = "mp4"

    def __init__(self, path, fps, size, crf: int = 18, preset: str = "medium") -> None:
        super().__init__(path, fps, size)
        w, h = self.size
        self.out_size = (w + w % 2, h + h % 2)  # even, as yuv420p needs
        self._tmp = self._enter_atomic(self.path)
        args = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", preset, "-crf", str(crf),
                "-movflags", "+faststart", "-f", "mp4", str(self._tmp)]
        self._pipe = FfmpegPipe(self.out_size, fps, args, self.path)

    def _write(self, frame: np.ndarray) -> None:
        w, h = self.size
        if self.out_size != (w, h):
            frame = np.pad(frame, ((0, self.out_size[1] - h), (0, self.out_size[0] - w), (0, 0)), mode="edge")
        self._pipe.write(frame.tobytes())

    def _finish(self) -> None:
        self._pipe.finish()
        share_permissions(self._tmp)

    def _kill(self) -> None:
        self._pipe.kill()


def gif_size(size: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """The GIF frame size: ``size`` shrunk (never enlarged) so the long side is at most ``max_side``."""
    w, h = size
    if not max_side or max(w, h) <= max_side:
        return (w, h)
    s = max_side / max(w, h)
    return (max(1, round(w * s)), max(1, round(h * s)))


class GifWriter(Writer):
    fmt = "gif"

    def __init__(self, path, fps, size, max_side: int | None = GIF_MAX_SIDE, dither: str = "sierra2_4a") -> None:
        super().__init__(path, fps, size)
        self.out_size = gif_size(self.size, max_side)
        self.dither = dither
        self._tmp = self._enter_atomic(self.path)
        self._scratch = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="gfla-gif-")))
        self._frames = self._scratch / "frames.mkv"
        self._pipe = FfmpegPipe(self.out_size, fps, ["-c:v", "ffv1", "-pix_fmt", "bgr0", str(self._frames)], self.path)

    def _write(self, frame: np.ndarray) -> None:
        if self.out_size != self.size:
            import cv2

            frame = cv2.resize(frame, self.out_size, interpolation=cv2.INTER_AREA)
        self._pipe.write(frame.tobytes())

    def _run(self, args: list[str]) -> None:
        done = subprocess.run([ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", *args], capture_output=True)
        if done.returncode != 0:
            raise ExportError(_explain(self.path, done.stderr.decode("utf-8", "replace")))

    def _finish(self) -> None:
        self._pipe.finish()
        palette = self._scratch / "palette.png"
        self._run(["-i", str(self._frames), "-vf", "palettegen=stats_mode=full", str(palette)])
        self._run(["-i", str(self._frames), "-i", str(palette), "-lavfi", f"paletteuse=dither={self.dither}",
                   "-loop", "0", "-f", "gif", str(self._tmp)])
        share_permissions(self._tmp)

    def _kill(self) -> None:
        self._pipe.kill()


class PngSequenceWriter(Writer):
    """Numbered PNGs in a folder; the folder appears complete or not at all."""

    fmt = "png"

    def __init__(self, path, fps, size, compress_level: int = 3) -> None:
        super().__init__(path, fps, size)
        if self.path.exists() and not self._replaceable(self.path):
            raise ExportError(f"{self.path} exists and holds other files: choose a new or empty folder")
        self.compress_level = compress_level
        try:
            clean_stale_temps(self.path.parent, self.path.name)  # staging folders of killed exports
            self._dir = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.{os.getpid()}-", suffix=".part",
                                              dir=self.path.parent))
        except OSError as exc:
            raise ExportError(explain_os_error(self.path, exc)) from exc

    @staticmethod
    def _replaceable(folder: Path) -> bool:
        return folder.is_dir() and all(p.is_file() and p.name.startswith("frame_") for p in folder.iterdir())

    def _write(self, frame: np.ndarray) -> None:
        from PIL import Image

        with atomic_path(self._dir / f"frame_{self.frames_written:05d}.png") as tmp:
            Image.fromarray(frame).save(tmp, format="PNG", compress_level=self.compress_level)
            share_permissions(tmp)

    def _finish(self) -> None:
        share_permissions(self._dir, is_dir=True)
        old = None
        if self.path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".old", dir=self.path.parent))
            os.replace(self.path, old / "previous")
        try:
            os.replace(self._dir, self.path)
        except OSError as exc:
            if old is not None:
                os.replace(old / "previous", self.path)
            raise WriteError(explain_os_error(self.path, exc)) from exc
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def _kill(self) -> None:
        if self._dir.exists():
            shutil.rmtree(self._dir, ignore_errors=True)


def format_for(path: str | os.PathLike, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else from the suffix (.mp4, .gif; no suffix or a folder → png)."""
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    p = Path(path)
    suffix = p.suffix.lower().lstrip(".")
    if suffix in ("mp4", "gif"):
        return suffix
    if suffix in ("", "png") or p.is_dir():
        return "png"
    raise ExportError(f"cannot tell the export format from {p.name!r}: use .mp4, .gif or a folder for PNG frames")


def open_writer(path: str | os.PathLike, fps: float, size: tuple[int, int], fmt: str | None = None, **options: Any) -> Writer:
    """A streaming writer for ``path``; ``size`` is (width, height) of the frames you will append."""
    kind = format_for(path, fmt)
    cls = {"mp4": Mp4Writer, "gif": GifWriter, "png": PngSequenceWriter}[kind]
    target = Path(path)
    if kind == "png" and target.suffix.lower() == ".png":
        target = target.with_suffix("")
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: the folder {target.parent} does not exist")
    return cls(target, fps, size, **options)
