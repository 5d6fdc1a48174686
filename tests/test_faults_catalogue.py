"""Fault catalogue, the page: docs/reliability.md is the table scripts/reliability_catalogue.py makes from the tests."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("reliability_catalogue", ROOT / "scripts" / "reliability_catalogue.py")
assert _spec is not None and _spec.loader is not None
catalogue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogue)
parse_docstring, rows = catalogue.parse_docstring, catalogue.rows


def test_docs_reliability_md_is_generated_from_the_current_tests() -> None:
    """case: a fault test added or changed without regenerating the page | expected: the check fails | checks:
    `reliability_catalogue.py --check` exit 0 and one row per fault test"""
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "reliability_catalogue.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    table, missing = rows()
    page = (ROOT / "docs" / "reliability.md").read_text()
    assert not missing and len(table) >= 20 and all(row in page for row in table)


def test_a_docstring_without_all_three_fields_is_not_a_catalogue_entry() -> None:
    """case: a docstring missing a field | expected: not a row (the script reports the test) | checks:
    parse_docstring on complete and incomplete text"""
    assert parse_docstring("case: a | expected: b | checks: c") == {"case": "a", "expected": "b", "checks": "c"}
    assert parse_docstring("case: a | expected: b") is None
