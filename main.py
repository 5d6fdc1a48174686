"""GFLA Pose Studio entry point: no arguments opens the editor; a subcommand runs headless."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("gui", "open") or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        from app.launch import run_app

        return run_app(argv[1:] if argv and argv[0] in ("gui", "open") else argv)
    from core.cli import run_cli

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
