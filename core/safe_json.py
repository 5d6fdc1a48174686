"""JSON from user files with stated limits: size, nesting depth and integer length, every failure one line.

``json.loads`` alone lets hostile input escape as a traceback: a deeply nested array raises RecursionError,
an integer of thousands of digits raises ValueError (Python's int-to-str limit) and a big one that parses
raises OverflowError later, when it meets a float. Every reader of a user's JSON (pose files, project files,
the weights manifest) parses through :func:`loads_limited` instead, which turns each of those into the
caller's error type with the limit in the message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.errors import StudioError

MAX_DEPTH = 64  # no file the project reads nests deeper than about 6 levels
MAX_INT_DIGITS = 308  # below 10**308, so every integer converts to a finite float


class _TooLong(ValueError):
    pass


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _TooLong(f"an integer of {digits} digits (the limit is {MAX_INT_DIGITS})")
    return int(text)


def _depth_exceeds(obj: object, limit: int) -> bool:
    """Whether lists/objects nest more than ``limit`` levels (iterative: no recursion to run out of)."""
    stack: list[tuple[object, int]] = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, list | dict))
    return False


def loads_limited(
    text: str | bytes,
    where: str,
    error: type[StudioError],
    max_depth: int = MAX_DEPTH,
) -> object:
    """The parsed JSON of ``text``; ``error`` (one line starting with ``where``) when it is not JSON, nests more
    than ``max_depth`` levels or holds an integer of more than MAX_INT_DIGITS digits."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise error(f"{where} is not a text (JSON) file (not UTF-8)") from None
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        obj = json.loads(text, parse_int=_parse_int)
    except _TooLong as exc:
        raise error(f"{where} is not usable JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise error(f"{where} is not usable JSON: nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # e.g. a float literal Python refuses
        raise error(f"{where} is not usable JSON: {str(exc).splitlines()[0]}") from None
    if _depth_exceeds(obj, max_depth):
        raise error(f"{where} is not usable JSON: nested more than {max_depth} levels deep")
    return obj


def read_limited(path: str | os.PathLike, where: str, error: type[StudioError], max_bytes: int) -> bytes:
    """The bytes of ``path``; ``error`` naming the file when missing, unreadable or larger
    than ``max_bytes``."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise error(f"{where} is too large: {size / 2**20:.1f} MiB (the limit is {max_bytes / 2**20:.0f} MiB)")
        return p.read_bytes()
    except FileNotFoundError:
        raise error(f"cannot read {where}: no such file") from None
    except IsADirectoryError:
        raise error(f"cannot read {where}: it is a folder") from None
    except OSError as exc:
        raise error(f"cannot read {where}: {exc.strerror or exc}") from None
