"""Hand and face point names follow OpenPose's order: every index has its own name, and the runs line up."""

import pytest

from core.errors import PoseError
from core.point_names import point_name


def test_names_at_the_run_boundaries():
    assert point_name("left_hand", 0) == "left hand: wrist"
    assert point_name("left_hand", 4) == "left hand: thumb tip"
    assert point_name("left_hand", 8) == "left hand: index tip"
    assert point_name("right_hand", 20) == "right hand: little tip"
    assert point_name("face", 2) == "face: jaw 3"
    assert point_name("face", 16) == "face: jaw 17"
    assert point_name("face", 17) == "face: right eyebrow 1"
    assert point_name("face", 68) == "face: right pupil"
    assert point_name("face", 69) == "face: left pupil"


def test_every_point_has_a_distinct_name_and_out_of_range_is_an_error():
    assert len({point_name("face", j) for j in range(70)}) == 70
    assert len({point_name("left_hand", j) for j in range(21)}) == 21
    for part, j in (("face", 70), ("left_hand", 21), ("body", 0)):
        with pytest.raises(PoseError, match=part):
            point_name(part, j)
