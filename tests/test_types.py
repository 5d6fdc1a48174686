"""The type checker (basedpyright, the pyproject [tool.pyright] config) reports no errors on core/ and app/."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
        [exe, "--pythonpath", sys.executable, "core", "app"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    errors = [line for line in proc.stdout.splitlines() if " - error: " in line]
    shown = "\n".join(errors[:30])
    assert not errors, f"{len(errors)} type errors, first ones:\n{shown}"
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
