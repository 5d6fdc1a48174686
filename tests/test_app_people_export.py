"""Saving from the editor (the real menu actions, the file dialog patched) writes every visible person with every
part: the ControlNet JSON read back has both people, the hand, and confidence 1.0 on every joint the editor shows
(ControlNet drops points under 1.0); the skeleton PNG shows both bodies and the hand's blue points."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QFileDialog

from core.formats import read_pose_document
from core.formats.controlnet_png import HAND_POINT_COLOR
from core.posedoc import Person, PoseDocument
from core.skeleton import JOINT_INDEX
from tests.test_app_people import hand_at

R_WRIST = JOINT_INDEX["right_wrist"]


def _two_people(editor):
    body = editor.document.pose
    first = Person(body, right_hand=hand_at(*body.xy[R_WRIST]))
    second = Person(body.transformed(0.6, (-40.0, 60.0)))
    editor.people_dock.model.set_document(PoseDocument(editor.document.size, (first, second)), selected=1)
    return first, second


def _save(monkeypatch, action, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    action.trigger()


def test_saved_json_has_every_person_and_part_at_confidence_one(qtbot, editor, monkeypatch, tmp_path):
    first, second = _two_people(editor)
    out = tmp_path / "pose.json"
    _save(monkeypatch, editor.acts.save_pose, out)
    back = read_pose_document(out)
    assert isinstance(back, PoseDocument) and len(back.people) == 2
    got_hand, want_hand = back.people[0].right_hand, first.right_hand
    assert got_hand is not None and want_hand is not None
    assert np.allclose(got_hand.xy, want_hand.xy, atol=0.01)
    for got, want in zip(back.people, (first, second), strict=True):
        assert (got.body.present == want.body.present).all()
        assert np.allclose(got.body.xy[want.body.present], want.body.xy[want.body.present], atol=0.01)
    raw = json.loads(out.read_text())
    for person, want in zip(raw["people"], (first, second), strict=True):
        conf = np.asarray(person["pose_keypoints_2d"], dtype=float).reshape(-1, 3)[:18, 2]
        assert (conf[want.body.present] == 1.0).all()  # ControlNet's rule keeps every shown joint
    hand_conf = np.asarray(raw["people"][0]["hand_right_keypoints_2d"], dtype=float).reshape(-1, 3)[:, 2]
    assert (hand_conf == 1.0).all()


def test_saved_skeleton_png_draws_both_people_and_the_hand(qtbot, editor, monkeypatch, tmp_path):
    first, second = _two_people(editor)
    out = tmp_path / "skeleton.png"
    _save(monkeypatch, editor.acts.save_skeleton, out)
    rgb = np.asarray(Image.open(out).convert("RGB"))
    w, h = editor.document.size
    assert rgb.shape == (h, w, 3)
    for person in (first, second):
        x, y = np.round(person.body.xy[JOINT_INDEX["neck"]]).astype(int)
        assert rgb[y, x].any()  # a joint drawn there
    hand = first.right_hand
    assert hand is not None
    tip = np.round(hand.xy[8]).astype(int)
    assert (np.abs(rgb[tip[1], tip[0]].astype(int) - HAND_POINT_COLOR) <= 1).all()


def test_a_hidden_person_is_not_saved(qtbot, editor, monkeypatch, tmp_path):
    _first, second = _two_people(editor)
    editor.people_dock.model.toggle_hidden(0)
    out = tmp_path / "pose.json"
    _save(monkeypatch, editor.acts.save_pose, out)
    back = read_pose_document(out)
    assert isinstance(back, PoseDocument) and len(back.people) == 1
    assert back.people[0].right_hand is None and (back.people[0].body.present == second.body.present).all()
