"""Tools → Novel View (ShapeNet)…: an object photo re-rendered from another azimuth and elevation in the worker."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.banner import Banner
from app.face.image_pane import ImagePane
from app.face.sessions import Missing, Rendered, ViewSession, checkpoint_problem
from app.jobs import JobRunner, JobSlot, Resources, user_message
from core.errors import CheckpointError
from core.render.targets import ViewTarget

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
SETTLE_MS = 120  # a render starts this long after the angles stop changing


def _angle_row(grid: QGridLayout, row: int, text: str, top: int, suffix: str = "°") -> tuple[QSlider, QSpinBox]:
    """A label, a slider and a spin box kept in step, on one grid row."""
    slider = QSlider(Qt.Orientation.Horizontal)
    spin = QSpinBox()
    for w in (slider, spin):
        w.setRange(0, top)
    spin.setSuffix(suffix)
    slider.valueChanged.connect(spin.setValue)
    spin.valueChanged.connect(slider.setValue)
    grid.addWidget(QLabel(text), row, 0)
    grid.addWidget(slider, row, 1)
    grid.addWidget(spin, row, 2)
    return slider, spin


class ViewDialog(QDialog):
    """Non-modal: open an object photo, choose the new view, see and save the network's rendering."""

    def __init__(self, jobs: JobRunner, device: str = "auto", folder: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Novel View (ShapeNet)")
        self.setModal(False)
        self.folder = folder
        self.session = ViewSession(device)
        self.image = None  # (H, W, 3) uint8 object photo
        self.photo_path = ""
        self._photo_id = 0
        self.last_result: Rendered | None = None
        self.checkpoint_missing: str | None = "Looking for the ShapeNet checkpoint…"
        self._check = JobSlot(jobs, "Looking for the ShapeNet checkpoint", self)
        self._load = JobSlot(jobs, "Opening the object photo", self)
        self._render = JobSlot(jobs, "Rendering the new view", self)
        self._check.finished.connect(lambda _g, problem: self._set_missing(problem))
        self._load.finished.connect(self._on_loaded)
        self._load.failed.connect(lambda _g, msg: self.banner.show_error(f"Could not open the photo: {msg}"))
        self._render.finished.connect(self._on_rendered)
        self._render.failed.connect(lambda _g, msg: self.banner.show_error(f"Rendering the view failed: {msg}"))
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.request_render)
        self._build()
        self._set_missing(self.checkpoint_missing)
        self.look_again()
        self.resize(900, 620)

    def _build(self) -> None:
        self.notice = QLabel()  # says which checkpoint is needed (a plain label: it wraps to its full height here)
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setStyleSheet("background:#1f3a5c; color:#eaf3ff; border:1px solid #3a6ea5; border-radius:4px;"
                                  " padding:6px 10px;")
        self.banner = Banner()  # errors
        self.open_button = QPushButton("Open Object Photo…")
        self.open_button.clicked.connect(self.open_dialog)
        self.again_button = QPushButton("Look Again")
        self.again_button.setToolTip("Look for a ShapeNet checkpoint imported since this dialog opened")
        self.again_button.clicked.connect(self.look_again)
        self.photo_label = QLabel("No photo yet: a car or chair, ideally on a plain background.")
        top = QHBoxLayout()
        for w in (self.open_button, self.photo_label):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.again_button)
        grid = QGridLayout()
        self.source_az, self.source_el = QSpinBox(), QSpinBox()
        self.source_az.setRange(0, 359)
        self.source_el.setRange(0, 20)
        for s in (self.source_az, self.source_el):
            s.setSuffix("°")
            s.valueChanged.connect(self._changed)
        seen = QHBoxLayout()
        for w in (QLabel("azimuth"), self.source_az, QLabel("elevation"), self.source_el):
            seen.addWidget(w)
        seen.addStretch(1)
        grid.addWidget(QLabel("The photo is seen from"), 0, 0)
        grid.addLayout(seen, 0, 1, 1, 2)
        self.azimuth_slider, self.azimuth = _angle_row(grid, 1, "New view: azimuth", 359)
        self.elevation_slider, self.elevation = _angle_row(grid, 2, "elevation", 20)
        for s in (self.azimuth, self.elevation):
            s.valueChanged.connect(self._changed)
        self.snapped_label = QLabel("Trained view used: azimuth 0°, elevation 0°")
        self.snapped_label.setToolTip("The network knows azimuths in 20° steps and elevations 0°, 10°, 20°; "
                                      "other angles snap to the nearest")
        grid.addWidget(self.snapped_label, 3, 1, 1, 2)
        self.source_view = ImagePane("The object photo")
        self.result_view = ImagePane("The new view appears here")
        panes = QHBoxLayout()
        panes.addWidget(self.source_view, 1)
        panes.addWidget(self.result_view, 1)
        self.status = QLabel("")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.addButton("Save Result…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self.save_dialog)
        buttons.rejected.connect(self.close)
        col = QVBoxLayout(self)
        for w in (self.notice, self.banner):
            col.addWidget(w)
        col.addLayout(top)
        col.addLayout(grid)
        col.addLayout(panes, 1)
        col.addWidget(self.status)
        col.addWidget(buttons)
        self.controls = [self.open_button, self.source_az, self.source_el, self.azimuth_slider, self.azimuth,
                         self.elevation_slider, self.elevation]

    # ----- the checkpoint -----------------------------------------------------------------
    def look_again(self) -> None:
        """Check in the worker whether a ShapeNet checkpoint is imported."""
        self._check.request(lambda _res: checkpoint_problem("shapenet"))

    def _set_missing(self, problem: str | None) -> None:
        self.checkpoint_missing = problem
        for w in self.controls:
            w.setEnabled(problem is None)
        self.save_button.setEnabled(problem is None and self.last_result is not None)
        self.again_button.setVisible(problem is not None)
        if problem:
            self.notice.setText(f"ℹ  {problem[:1].upper()}{problem[1:]}. Close this dialog, import the file and "
                                "press Look Again.")
            self.notice.show()
        else:
            self.notice.hide()
            self.request_render()

    @property
    def idle(self) -> bool:
        """No check, load or render waiting or running (tests wait for this)."""
        return self._check.idle and self._load.idle and self._render.idle and not self._settle.isActive()

    # ----- the photo ----------------------------------------------------------------------
    def open_photo(self, path: str | os.PathLike) -> None:
        from core.imageio_utils import load_image

        path = str(path)
        self._load.request(lambda _res: (path, load_image(path)))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo of a car or chair", self.folder, IMAGE_FILTER)
        if path:
            self.folder = os.path.dirname(path)
            self.open_photo(path)

    @Slot(int, object)
    def _on_loaded(self, _generation: int, answer: tuple) -> None:
        self.photo_path, self.image = answer
        self._photo_id += 1
        self.photo_label.setText(os.path.basename(self.photo_path))
        self.source_view.set_image(self.image)
        self.result_view.set_image(None)
        self.last_result = None
        self.request_render()

    # ----- rendering ----------------------------------------------------------------------
    def _changed(self) -> None:
        from core.gfla.shapenet import view_labels
        from core.render.view import view_angles

        az, el = view_angles(view_labels(self.azimuth.value(), self.elevation.value()))
        self.snapped_label.setText(f"Trained view used: azimuth {az:g}°, elevation {el:g}°")
        self._settle.start()

    def request_render(self) -> bool:
        """Render the open photo from the chosen angles in the worker (newest wins)."""
        self._settle.stop()
        if self.image is None or self.checkpoint_missing:
            return False
        session, key, image = self.session, self._photo_id, self.image
        source = ViewTarget(float(self.source_az.value()), float(self.source_el.value()))
        target = ViewTarget(float(self.azimuth.value()), float(self.elevation.value()))

        def render(_res: Resources) -> Rendered | Missing:  # in the worker thread
            try:
                return session.render(key, image, source, target)
            except CheckpointError as exc:
                return Missing(str(exc))

        self.status.setText("Rendering…")
        self._render.request(render)
        return True

    @Slot(int, object)
    def _on_rendered(self, _generation: int, answer: Rendered | Missing) -> None:
        if isinstance(answer, Missing):
            self.status.setText("")
            self._set_missing(answer.message)
            return
        self.last_result = answer
        self.result_view.set_image(answer.image)
        ex = answer.extras
        az, el = ex["azimuth_deg"], ex["elevation_deg"]
        self.snapped_label.setText(f"Trained view used: azimuth {az:g}°, elevation {el:g}°")
        self.status.setText(f"Rendered with {answer.renderer} in {answer.seconds * 1000:.0f} ms")
        self.save_button.setEnabled(True)

    # ----- saving -------------------------------------------------------------------------
    def save_result(self, path: str) -> bool:
        """Write the shown view (PNG or JPEG, atomically)."""
        from core.imageio_utils import save_image

        if self.last_result is None:
            return False
        try:
            save_image(path, self.last_result.image)
        except Exception as exc:
            self.banner.show_error(f"Could not save {os.path.basename(path)}: {user_message(exc)}")
            return False
        self.status.setText(f"Saved {path}")
        return True

    def save_dialog(self) -> None:
        stem = os.path.splitext(os.path.basename(self.photo_path or "object"))[0]
        az, el = self.azimuth.value(), self.elevation.value()
        default = os.path.join(self.folder, f"{stem}_az{az}_el{el}.png")
        path, _ = QFileDialog.getSaveFileName(self, "Save the new view", default,
                                              "PNG image (*.png);;JPEG image (*.jpg *.jpeg)")
        if path:
            self.save_result(path)

    def closeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        for job in (self._check, self._load, self._render):
            job.close()
        super().closeEvent(event)
