"""GFLA Pose Studio entry point: no arguments opens the editor; a subcommand runs headless."""

from __future__ import annotations

import sys
from pathlib import Path


def wants_editor(argv: list[str]) -> bool:
    """True when ``argv`` opens the editor: no arguments, ``gui``/``open``, editor options, or a file to open
    (``python main.py PHOTO`` or ``python main.py PROJECT.gflaproj``, as when a desktop opens a file with the app)."""
    if not argv or argv[0] in ("gui", "open"):
        return True
    if argv[0].startswith("-"):
        return argv[0] not in ("-h", "--help")
    return Path(argv[0]).is_file()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if wants_editor(argv):
        from app.launch import run_app

        return run_app(argv[1:] if argv and argv[0] in ("gui", "open") else argv)
    from core.cli import run_cli

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
