"""Where the GFLA reference fixtures live for the tests: tests/fixtures/ (they travel with the project), or
$GFLA_FIXTURES to check another set with the same file names (e.g. a held-back one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(os.environ.get("GFLA_FIXTURES") or Path(__file__).resolve().parent / "fixtures").resolve()


def fixture_file(name: str) -> Path:
    """The path of fixture ``name``; a missing file fails the test (a fresh clone must run every fixture test)."""
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"reference fixture {name} is missing from {FIXTURES} (tests/fixtures/ travels with the project)")
    return path
