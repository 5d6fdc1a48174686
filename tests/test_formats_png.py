"""The skeleton PNG equals controlnet_aux's drawing rule (restated here from its documented constants) to ±1 level."""

from __future__ import annotations

import colorsys
import math

import numpy as np
import pytest

from core.errors import PoseError
from core.formats.controlnet_png import CANVAS_PRESETS, draw_controlnet_skeleton, fit_document, parse_canvas_size
from core.imageio_utils import import_cv2
from core.posedoc import PoseDocument
from tests.formats_helpers import whole_body_person

# controlnet_aux open_pose/util.py, as documented: 1-based limb pairs, 18 RGB colours, stickwidth 4.
LIMB_SEQ = [[2, 3], [2, 6], [3, 4], [4, 5], [6, 7], [7, 8], [2, 9], [9, 10], [10, 11], [2, 12], [12, 13],
            [13, 14], [2, 1], [1, 15], [15, 17], [1, 16], [16, 18]]
BODY_COLORS = [[255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0],
               [0, 255, 85], [0, 255, 170], [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255],
               [85, 0, 255], [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85]]
HAND_EDGES = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [0, 9], [9, 10], [10, 11], [11, 12],
              [0, 13], [13, 14], [14, 15], [15, 16], [0, 17], [17, 18], [18, 19], [19, 20]]
EPS = 0.01


def _reference(doc: PoseDocument) -> np.ndarray:
    cv2 = import_cv2()
    assert doc.canvas is not None
    W, H = doc.canvas  # noqa: N806 - the names of the reference code
    canvas = np.zeros((H, W, 3), np.uint8)
    for person in doc.people:
        kp = [None if np.isnan(x) else (x / W, y / H) for x, y in person.body.xy]
        for (k1, k2), color in zip(LIMB_SEQ, BODY_COLORS, strict=False):
            a, b = kp[k1 - 1], kp[k2 - 1]
            if a is None or b is None:
                continue
            Y, X = np.array([a[0], b[0]]) * float(W), np.array([a[1], b[1]]) * float(H)  # noqa: N806
            length = ((X[0] - X[1]) ** 2 + (Y[0] - Y[1]) ** 2) ** 0.5
            angle = math.degrees(math.atan2(X[0] - X[1], Y[0] - Y[1]))
            poly = cv2.ellipse2Poly((int(np.mean(Y)), int(np.mean(X))), (int(length / 2), 4), int(angle), 0, 360, 1)
            cv2.fillConvexPoly(canvas, poly, [int(float(c) * 0.6) for c in color])
        for k, color in zip(kp, BODY_COLORS, strict=True):
            if k is not None:
                cv2.circle(canvas, (int(k[0] * W), int(k[1] * H)), 4, color, thickness=-1)
        for hand in (person.left_hand, person.right_hand):
            if hand is None:
                continue
            hk = [None if np.isnan(x) else (int(x / W * W), int(y / H * H)) for x, y in hand.xy]
            for ie, (e1, e2) in enumerate(HAND_EDGES):
                p1, p2 = hk[e1], hk[e2]
                if p1 and p2 and min(*p1, *p2) > EPS:
                    rgb = np.array(colorsys.hsv_to_rgb(ie / float(len(HAND_EDGES)), 1.0, 1.0)) * 255
                    cv2.line(canvas, p1, p2, rgb.tolist(), thickness=2)
            for p in hk:
                if p and p[0] > EPS and p[1] > EPS:
                    cv2.circle(canvas, p, 4, (0, 0, 255), thickness=-1)
        if person.face is not None:
            for x, y in person.face.xy[~np.isnan(person.face.xy).any(axis=1)]:
                p = (int(x / W * W), int(y / H * H))
                if p[0] > EPS and p[1] > EPS:
                    cv2.circle(canvas, p, 3, (255, 255, 255), thickness=-1)
    return canvas


@pytest.mark.parametrize("canvas", [(512, 768), (768, 512), (1024, 1024)])
def test_skeleton_png_is_pixel_equal_to_controlnet_aux_rule(canvas):
    doc = PoseDocument(canvas, (whole_body_person(51, canvas), whole_body_person(52, canvas).without(["face"])))
    got, want = draw_controlnet_skeleton(doc), _reference(doc)
    assert got.shape == (canvas[1], canvas[0], 3) and got.dtype == np.uint8
    assert int(np.abs(got.astype(int) - want.astype(int)).max()) <= 1
    assert (got > 0).any(axis=2).mean() > 0.01  # something was drawn
    assert (got == (0, 0, 255)).all(axis=2).any() and (got == (255, 255, 255)).all(axis=2).any()


def test_canvas_presets_and_photo_size():
    assert set(CANVAS_PRESETS.values()) == {(512, 512), (512, 768), (768, 512), (1024, 1024), (832, 1216),
                                            (1216, 832)}
    assert parse_canvas_size("832x1216") == (832, 1216)
    assert parse_canvas_size("photo", (640, 480)) == (640, 480)
    with pytest.raises(PoseError, match="WIDTHxHEIGHT"):
        parse_canvas_size("big")


def test_a_pose_is_fitted_centred_into_another_canvas():
    doc = PoseDocument((512, 512), (whole_body_person(53, (512, 512)),))
    fitted = fit_document(doc, (512, 768))
    assert fitted.canvas == (512, 768)
    assert np.allclose(fitted.people[0].body.xy, doc.people[0].body.xy + (0, 128), equal_nan=True)
    assert draw_controlnet_skeleton(doc, (512, 768)).shape == (768, 512, 3)
