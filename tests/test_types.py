"""The type checker (basedpyright, the pyproject [tool.pyright] config) on core/ and app/: no file may get worse.

core/ and app/ have no type errors (from 254 when the check came in). PENDING stays for a file that has to be let in
with known errors, counted, so the list only shrinks; it is empty."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PENDING: dict[str, int] = {}  # every file is clean; a new error anywhere fails


def _basedpyright() -> str | None:
    """The basedpyright executable next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("basedpyright")
    if beside.exists():
        return str(beside)
    return shutil.which("basedpyright")


def test_core_and_app_type_check_without_errors() -> None:
    exe = _basedpyright()
    if exe is None:
        pytest.skip("basedpyright is not installed (pip install -e .[test] brings it)")
    proc = subprocess.run(
        # --project: this project's [tool.pyright], never a pyrightconfig.json found in a folder above the clone
        [exe, "--project", str(ROOT / "pyproject.toml"), "--pythonpath", sys.executable, "core", "app"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    errors = [line.strip() for line in proc.stdout.splitlines() if " - error: " in line]
    assert errors or proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    per_file: dict[str, list[str]] = {}
    for line in errors:
        rel = Path(line.split(":", 1)[0]).resolve().relative_to(ROOT).as_posix()
        per_file.setdefault(rel, []).append(line)
    worse = {f: e for f, e in per_file.items() if len(e) > PENDING.get(f, 0)}
    shown = "\n".join(line for e in worse.values() for line in e[:5])
    assert not worse, f"type errors beyond the pending list in {sorted(worse)}:\n{shown}"
