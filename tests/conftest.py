"""Shared test set-up: Qt runs offscreen and never touches the user's settings; editor fixtures with fakes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
# Autosave and crash-recovery files go to a throw-away folder, never the user's data folder.
os.environ["GFLA_STUDIO_DATA"] = __import__("tempfile").mkdtemp(prefix="gfla-test-data-")

import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The GFLA reference fixtures folder (tests/fixtures/, or $GFLA_FIXTURES for another set)."""
    from fixture_files import FIXTURES

    return FIXTURES


@pytest.fixture(autouse=True)
def no_modal_message_boxes(monkeypatch) -> None:
    """A modal QMessageBox would wait forever for a click offscreen: make one fail the test at once, by name."""
    try:
        from PySide6.QtWidgets import QMessageBox
    except ImportError:
        return

    def refuse(kind: str):  # noqa: ANN202
        def box(_parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN202
            raise AssertionError(f"a modal {kind} box would block the test: {title!r}: {text!r}")
        return staticmethod(box)

    for kind in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, refuse(kind))


@pytest.fixture(scope="session", autouse=True)
def qsettings_dir(tmp_path_factory) -> str:
    """Any QSettings made during the tests lives in this temporary folder, never in the user's settings."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # Qt is optional for core-only runs
        return folder
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)
    return folder


# ----- editor fakes: a renderer and a detector that behave like core's ----------------------------
def standing_pose_xy(w: int, h: int) -> np.ndarray:
    """(18, 2) a plausible standing person filling the middle of a w×h photo."""
    unit = np.array([
        (0.50, 0.12), (0.50, 0.22), (0.40, 0.22), (0.36, 0.36), (0.34, 0.50), (0.60, 0.22), (0.64, 0.36),
        (0.66, 0.50), (0.44, 0.52), (0.44, 0.70), (0.44, 0.88), (0.56, 0.52), (0.56, 0.70), (0.56, 0.88),
        (0.48, 0.10), (0.52, 0.10), (0.46, 0.11), (0.54, 0.11),
    ])
    return unit * np.array([w, h])


class FakeRenderer:
    """Paints a white square at every target joint on the photo, so the result changes with the pose."""

    device = "cpu"

    def __init__(self, name: str = "Fake warp", delay: float = 0.0, error: Exception | None = None,
                 device: str = "cpu") -> None:
        self.name, self.delay, self.error, self.device = name, delay, error, device
        self.renders = 0
        self.encodes = 0
        self.rendering = threading.Event()

    def encode_source(self, image, pose, mask=None):
        from core.render.base import SourceState
        from core.skeleton import Pose

        self.encodes += 1
        return SourceState(image=image, pose=Pose.coerce(pose))

    def render(self, state, target):
        from core.render.base import RenderResult
        from core.skeleton import Pose

        self.rendering.set()
        try:
            if self.delay:
                time.sleep(self.delay)
            if self.error is not None:
                raise self.error
            self.renders += 1
            out = state.image.copy()
            pose = Pose.coerce(target)
            h, w = out.shape[:2]
            for x, y in pose.xy[pose.present]:
                xi, yi = int(np.clip(x, 0, w - 1)), int(np.clip(y, 0, h - 1))
                out[max(yi - 3, 0): yi + 4, max(xi - 3, 0): xi + 4] = 255
            flow = np.zeros((2, h // 4, w // 4), np.float32)
            return RenderResult(image=out, renderer=self.name, crop_box=None, flows=[flow], seconds=self.delay)
        finally:
            self.rendering.clear()

    def render_sequence(self, state, targets, progress=None, cancel=None):
        from core.render.base import render_each

        return render_each(self, state, targets, progress, cancel)


@dataclass
class FakeDetection:
    pose: object
    scores: object = None
    mask: object = None
    backend: str = "fake"


class FakeDetector:
    def detect(self, image):
        from core.skeleton import Pose

        h, w = image.shape[:2]
        return FakeDetection(pose=Pose(standing_pose_xy(w, h)))


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    """The bundled portrait photo (resources/portrait.png), (H, W, 3) uint8 RGB."""
    from core.imageio_utils import load_image

    return load_image(ROOT / "resources" / "portrait.png")


@pytest.fixture(scope="module")
def landmarks(portrait) -> np.ndarray:
    """The portrait's 68 face landmarks as the face mesh detector finds them."""
    from core.detect.face_mesh import detect_face

    return detect_face(portrait).landmarks


@pytest.fixture
def one_torch_thread():
    """Torch on one thread for the test: tiny convolutions run several times faster so than on two busy threads."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def weights_store(tmp_path, monkeypatch) -> Path:
    """An empty weights store of its own, so no test sees the user's imported weights (list it before ``editor``
    so the worker stops before this is undone)."""
    store = tmp_path / "weights"
    store.mkdir()
    monkeypatch.setenv("GFLA_WEIGHTS_DIR", str(store))
    return store


@pytest.fixture
def photo_path(tmp_path) -> Path:
    """A 240×360 synthetic photo on disk."""
    from PIL import Image

    yy, xx = np.mgrid[0:360, 0:240]
    rgb = np.stack([xx * 255 // 240, yy * 255 // 360, np.full_like(xx, 90)], axis=-1).astype(np.uint8)
    path = tmp_path / "person.png"
    Image.fromarray(rgb).save(path)
    return path


@pytest.fixture
def make_renderer():
    """The FakeRenderer class: ``make_renderer(name, delay=…, error=…, device=…)``."""
    return FakeRenderer


@pytest.fixture
def fake_renderers():
    """The editor's renderers: "warp" (no checkpoint), "net" (any checkpoint), "net:<device>" (that device only)."""
    return {"warp": FakeRenderer("Fake warp"), "net": FakeRenderer("Fake GFLA", device="cpu")}


@pytest.fixture
def editor_services(fake_renderers):
    from app.services import Services
    from core.errors import CheckpointError

    def load_renderer(path, device):
        if path is None:
            return fake_renderers["warp"]
        if "bad" in str(path):
            raise CheckpointError(f"{Path(path).name} matches no known GFLA network")
        return fake_renderers.get(f"net:{device}", fake_renderers["net"])

    return Services(get_detector=lambda backend: FakeDetector(), load_renderer=load_renderer)


@pytest.fixture
def editor(qtbot, tmp_path, editor_services, photo_path):
    """A main window with a fake detector and renderers, a private settings file and the synthetic photo open."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, editor_services)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.client.rendered, timeout=10000):
        window.open_photo(photo_path)
    yield window
    window.shutdown()
    assert window.client.worker_thread.isFinished(), "the worker thread must stop at teardown"
