"""Qt-free pose rigging: the body bone tree, FK rotate, two-bone IK, pins, selection transforms, mirror, group moves."""

from core.rig.group import group_shifted, selection_transformed
from core.rig.solve import DragMode, drag_joint, ik_two_bone, rotate_bone
from core.rig.symmetry import mirror_edit
from core.rig.tree import BODY_TREE, BoneTree, keep_lengths

__all__ = [
    "BODY_TREE",
    "BoneTree",
    "DragMode",
    "drag_joint",
    "group_shifted",
    "ik_two_bone",
    "keep_lengths",
    "mirror_edit",
    "rotate_bone",
    "selection_transformed",
]
