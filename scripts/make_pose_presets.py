"""Make the extra bundled pose presets (resources/poses/) from standing.json by turning its limbs about their joints
with core.rig.rotate_bone, which keeps every bone's length. Run from the repository root:
``python scripts/make_pose_presets.py``. Angles are in degrees, image axes: 0 = right, 90 = down, -90 = up."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from core.pose_io import read_openpose_json, write_openpose_json
from core.rig import BODY_TREE, rotate_bone
from core.skeleton import JOINT_INDEX, Pose

POSES = Path(__file__).resolve().parents[1] / "resources" / "poses"
J = JOINT_INDEX
# each preset: (joint whose bone turns, direction of the bone from its parent), applied in order
RECIPES: dict[str, list[tuple[str, float]]] = {
    "sitting": [("right_knee", 175.0), ("right_ankle", 95.0), ("left_knee", 185.0), ("left_ankle", 85.0),
                ("right_elbow", 100.0), ("right_wrist", 170.0), ("left_elbow", 95.0), ("left_wrist", 165.0)],
    "waving": [("right_elbow", -160.0), ("right_wrist", -100.0), ("left_elbow", 95.0), ("left_wrist", 92.0)],
    "running": [("right_knee", 45.0), ("right_ankle", 120.0), ("left_knee", 115.0), ("left_ankle", 150.0),
                ("right_elbow", 60.0), ("right_wrist", -30.0), ("left_elbow", 130.0), ("left_wrist", 200.0)],
    "hands_on_hips": [("right_elbow", 130.0), ("right_wrist", 30.0), ("left_elbow", 50.0), ("left_wrist", 150.0)],
    "kicking": [("right_knee", 150.0), ("right_ankle", 170.0), ("right_elbow", -150.0), ("left_elbow", -30.0)],
}


def turned(pose: Pose, joint: str, degrees: float) -> Pose:
    """The bone into ``joint`` pointing along ``degrees`` from its parent (length and subtree kept)."""
    j = J[joint]
    parent = BODY_TREE.parent[j]
    length = float(np.hypot(*(pose.xy[j] - pose.xy[parent])))
    a = math.radians(degrees)
    target = (float(pose.xy[parent][0]) + length * math.cos(a), float(pose.xy[parent][1]) + length * math.sin(a))
    return rotate_bone(pose, j, target)


def main() -> None:
    standing = read_openpose_json(POSES / "standing.json", person=0)
    for name, steps in RECIPES.items():
        pose = standing
        for joint, degrees in steps:
            pose = turned(pose, joint, degrees)
        pose = Pose(np.round(pose.xy, 1))
        write_openpose_json(POSES / f"{name}.json", pose, canvas_size=(512, 512))
        print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
