"""`python main.py FILE` opens the editor on that file, as desktop apps do; subcommands stay headless."""

from __future__ import annotations

from pathlib import Path

from main import wants_editor


def test_a_photo_or_project_path_opens_the_editor(tmp_path: Path) -> None:
    photo, project = tmp_path / "me.jpg", tmp_path / "walk.gflaproj"
    photo.write_bytes(b"x")
    project.write_text("{}")
    assert wants_editor([str(photo)]) and wants_editor([str(project)])
    assert wants_editor([]) and wants_editor(["gui"]) and wants_editor(["--weights", "w.pth"])


def test_subcommands_help_and_missing_files_go_to_the_command_line(tmp_path: Path) -> None:
    assert not wants_editor(["detect", "photo.jpg"])
    assert not wants_editor(["--help"])
    assert not wants_editor([str(tmp_path / "missing.jpg")])  # argparse then names the unknown command
