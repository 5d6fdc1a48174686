"""Opening a photo of several people in the editor, with the real MediaPipe detectors: every person goes into the
person list with the hands and faces found, the body detection's person is selected and edited, and clicking
another person's skeleton on the canvas selects them.

The photo is a composite (three copies of the bundled sample on scikit-image's ``coffee`` photograph): no freely
licensed photo of several people is available here (see tests/test_detect_wholebody.py)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest

from core.imageio_utils import import_cv2, load_image, save_image
from core.skeleton import JOINT_INDEX


def test_a_photo_of_three_people_fills_the_person_list_and_a_click_selects_another(qtbot, tmp_path, editor_services):
    import skimage.data

    from app.main_window import MainWindow
    from app.services import Services
    from app.settings import Settings

    cv2 = import_cv2()
    canvas = cv2.resize(skimage.data.coffee(), (1500, 700))
    sample = cv2.resize(load_image("resources/sample_person.png"), (420, 600), interpolation=cv2.INTER_AREA)
    for x in (40, 540, 1040):
        canvas[50:650, x:x + 420] = sample
    photo = tmp_path / "three.png"
    save_image(photo, canvas)

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, Services(load_renderer=editor_services.load_renderer))  # real detectors
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    try:
        with qtbot.waitSignal(window.client.rendered, timeout=60000):
            window.open_photo(str(photo))
        model = window.people_dock.model
        qtbot.waitUntil(lambda: len(model.state.people) == 3, timeout=10000)
        labels = [window.people_dock.people.item(i).text() for i in range(window.people_dock.people.count())]
        assert len(labels) == 3 and all("2 hands" in t and "face" in t for t in labels), labels
        assert model.state.current.body == window.document.detected  # the body detection's person is the edited one
        assert "Found 3 people" in window.statusBar().currentMessage()

        # click another person's neck on the canvas: that person becomes the selected (edited and rendered) one
        other = next(i for i in range(3) if i != model.state.selected)
        neck = model.state.people[other].body.xy[JOINT_INDEX["neck"]]
        view = window.canvas
        at = view.mapFromScene(QPointF(float(neck[0]), float(neck[1])))
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(at))
        qtbot.waitUntil(lambda: model.state.selected == other, timeout=5000)
        assert np.allclose(np.nan_to_num(window.document.pose.xy), np.nan_to_num(model.state.people[other].body.xy))
    finally:
        window.shutdown()
    assert window.client.worker_thread.isFinished()
