"""Atomic file writes: write to a temporary file beside the target, then rename over it.

A temporary file is named ``.<stem>.<pid>-<random>.part<suffix>``. A process killed mid-write (SIGKILL, power
loss) leaves one behind, never a half file under the final name; the next write to the same target, or
:func:`clean_stale_temps` on a folder at start-up, removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from core.errors import StudioError


class WriteError(StudioError, OSError):
    """A file could not be written (full disk, no permission, missing folder)."""


def _umask() -> int:
    """The process umask, read without changing it where /proc allows (else the common 022)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def share_permissions(path: Path, is_dir: bool = False) -> None:
    """Give a temporary file or folder the permissions a plain open()/mkdir() would (mkstemp makes it private)."""
    with contextlib.suppress(OSError):
        os.chmod(path, (0o777 if is_dir else 0o666) & ~_umask())


def explain_os_error(path: Path, exc: OSError) -> str:
    """One plain sentence for a failed write."""
    if exc.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied (choose another folder)"
    if exc.errno == errno.ENOENT:
        return f"cannot write {path}: the folder {path.parent} does not exist"
    return f"cannot write {path}: {exc.strerror or exc}"


_TEMP_NAME = re.compile(r"\.(\d+)-[A-Za-z0-9_]+\.part[^/]*$")  # .<stem>.<pid>-<mkstemp's random>.part<suffix>


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform without signals: assume alive
    return True


def clean_stale_temps(folder: str | os.PathLike, stem: str = "*") -> int:
    """Remove the temporary files (and staging folders, ``.<name>.<pid>-<random>.part``) of writes whose process
    died, of ``stem``'s target or all; how many went."""
    removed = 0
    pattern = f".{'*' if stem == '*' else glob.escape(stem)}.*.part*"
    for tmp in Path(folder).glob(pattern):
        match = _TEMP_NAME.search(tmp.name)
        if match is None or int(match[1]) == os.getpid() or _pid_alive(int(match[1])):
            continue
        with contextlib.suppress(OSError):
            if tmp.is_dir():
                shutil.rmtree(tmp)
            else:
                tmp.unlink()
            removed += 1
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it is renamed onto ``path``.

    On any exception (including cancellation) the temporary file is removed and the target
    is left untouched. OSErrors are re-raised as WriteError with a plain-language message.
    ``suffix`` defaults to the target's suffix so that writers choosing a format by
    extension (Pillow, ffmpeg) still work.
    """
    target = Path(path)
    suffix = target.suffix if suffix is None else suffix
    with contextlib.suppress(OSError):
        clean_stale_temps(target.parent or ".", target.stem)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.{os.getpid()}-", suffix=f".part{suffix}",
                                        dir=target.parent or ".")
        os.close(fd)
        share_permissions(Path(tmp_name))
    except OSError as exc:
        raise WriteError(explain_os_error(target, exc)) from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, WriteError):
            raise
        raise WriteError(explain_os_error(target, exc)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
