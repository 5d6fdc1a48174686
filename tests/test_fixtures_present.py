"""The reference fixtures travel with the project, so a fresh clone runs every fixture test instead of skipping."""

from __future__ import annotations

from fixture_files import FIXTURES

NEEDED = [
    "pose_fashion.pt", "pose_market.pt", "dance_fashion.pt", "keypoint.pt", "fixture_heatmap.pt", "losses.pt",
    "face.pt", "shapenet.pt", "keys_pose_fashion.json", "keys_pose_market.json", "keys_dance_fashion.json",
    "keys_keypoint.json", "keys_face.json", "keys_shapenet.json",
]


def test_every_reference_fixture_is_in_the_project() -> None:
    missing = [name for name in NEEDED if not (FIXTURES / name).is_file()]
    assert not missing, f"missing from {FIXTURES}: {', '.join(missing)}"
