"""Bad pose files get one line naming the file and the field: lengths, NaN, strings, mixed units, wrong shapes."""

from __future__ import annotations

import json

import pytest

from core.errors import PoseError
from core.formats import read_pose_document
from tests.formats_helpers import flat, whole_body_person

P = whole_body_person(41, (512, 768))
BODY = flat(P.body.xy)
HAND = flat(P.left_hand.xy)  # type: ignore[union-attr]


def _people(*people: dict, **top) -> str:
    return json.dumps({"people": list(people), **top})


CASES = [
    (_people({"pose_keypoints_2d": BODY}, {"pose_keypoints_2d": BODY, "hand_left_keypoints_2d": HAND[:60]}),
     "people[1].hand_left_keypoints_2d: 60 values, expected 63"),
    (_people({"pose_keypoints_2d": BODY, "face_keypoints_2d": HAND}), "people[0].face_keypoints_2d: 63 values"),
    ('{"people": [{"pose_keypoints_2d": [NaN' + ", 1" * 53 + "]}]}", "people[0].pose_keypoints_2d: item 0 is nan"),
    (_people({"pose_keypoints_2d": BODY[:5] + ["12"] + BODY[6:]}), "people[0].pose_keypoints_2d: item 5 is '12'"),
    (_people({"pose_keypoints_2d": BODY, "hand_right_keypoints_2d": "none"}), "hand_right_keypoints_2d: must be a list"),
    (_people({"pose_keypoints_2d": BODY, "hand_left_keypoints_2d": flat(P.left_hand.xy, 1.0, (512, 768))},  # type: ignore[union-attr]
             canvas_width=512, canvas_height=768),
     "people[0].hand_left_keypoints_2d: every coordinate within [0, 1] (normalised) while the rest"),
    (_people({"pose_keypoints_2d": [True] * 54}), "item 0 is True"),
    ('{"people": {"pose_keypoints_2d": []}}', "no 'people' list"),
    ('"people"', "no 'people' list"),
    (_people({"pose_keypoints_2d": BODY}, canvas_width=512.5, canvas_height=768), "canvas_width"),
]


@pytest.mark.parametrize("content, words", CASES)
def test_bad_pose_files_get_one_line_naming_the_field(tmp_path, content, words):
    path = tmp_path / "bad_pose.json"
    path.write_text(content)
    with pytest.raises(PoseError) as err:
        read_pose_document(path)
    msg = str(err.value)
    assert words in msg and str(path) in msg and "\n" not in msg, msg
