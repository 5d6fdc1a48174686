"""The result pane: the rendered person beside the photo, over it with a split slider, or with the flow overlay."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.qimage import qimage_to_rgb, rgb_to_qimage
from core.render.base import RenderResult

MODES = ("side", "split", "flow")
FLOW_SIDE = 1024  # the flow overlay is coloured at most this many pixels along its longer side
MODE_TITLES = {"side": "Side by side", "split": "Split slider", "flow": "Flow overlay"}


def flow_source_colors(flow: np.ndarray, moved_px: float = 3.0) -> np.ndarray:
    """(2, h, w) backward flow → (h, w, 4) uint8 RGBA: each moved pixel coloured by where in the source it came from.

    Red grows to the right of the source frame, green downwards; samples from outside the frame are grey.
    Opacity grows with the distance moved and is full from ``moved_px`` grid pixels on, so what stayed
    in place is left clear (use ``moved_px=0`` for the opaque colour key).
    """
    _, h, w = flow.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)  # (h, w) each
    u = (xs + flow[0]) / max(w - 1, 1)
    v = (ys + flow[1]) / max(h - 1, 1)
    inside = (u >= 0) & (u <= 1) & (v >= 0) & (v <= 1)
    u, v = np.clip(u, 0, 1), np.clip(v, 0, 1)
    rgb = np.stack([u, v, 1.0 - 0.5 * (u + v)], axis=-1) * 215 + 40  # (h, w, 3)
    rgb[~inside] = 128
    if moved_px > 0:
        alpha = np.clip(np.hypot(flow[0], flow[1]) / moved_px, 0.0, 1.0) * 255  # (h, w)
    else:
        alpha = np.full((h, w), 255.0, np.float32)
    return np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.uint8)


class ResultView(QWidget):
    """Paints the current result fitted into the pane; ``composed_rgb()`` is what is shown, at photo size."""

    splitMoved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.mode = "side"
        self.split = 0.5
        self._photo: QImage | None = None
        self._composed: QImage | None = None
        self._flow: np.ndarray | None = None  # (2, h, w) the shown result's flow, coloured when first painted
        self._flow_image: QImage | None = None
        self._flow_rect: QRectF | None = None
        self.placeholder = "The re-posed person appears here"

    def sizeHint(self) -> QSize:
        return QSize(480, 600)

    # ----- content ----------------------------------------------------------------------
    def set_photo(self, rgb: np.ndarray | None) -> None:
        self._photo = None if rgb is None else rgb_to_qimage(rgb)
        self._composed, self._flow = None, None
        self.update()

    def clear_result(self) -> None:
        self._composed, self._flow = None, None
        self.update()

    def set_result(self, result: RenderResult) -> None:
        """Show a core.render.RenderResult; a result covering a crop box is pasted back into the photo."""
        image = rgb_to_qimage(result.image)
        box = getattr(result, "crop_box", None)
        photo = self._photo
        if photo is None:
            self._composed = image
            photo_rect = QRectF(0, 0, image.width(), image.height())
        else:
            photo_rect = QRectF(0, 0, photo.width(), photo.height())
            box_rect = photo_rect if box is None else QRectF(QPointF(box[0], box[1]), QPointF(box[2], box[3]))
            if box is None:  # the whole frame, maybe a quick preview of a bounded copy: painted at the photo's size
                self._composed = image
            else:
                canvas = photo.copy()
                with _painter(canvas) as p:
                    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                    p.setClipRect(photo_rect)
                    p.drawImage(box_rect, image)
                self._composed = canvas
        flows = [f for f in (getattr(result, "flows", None) or []) if np.ndim(f) == 3]
        if flows:
            finest = max(flows, key=lambda f: f.shape[1] * f.shape[2])
            k = max(1, -(-max(finest.shape[1:]) // FLOW_SIDE))  # colour every k-th pixel of a large flow
            coarse = np.asarray(finest[:, ::k, ::k], dtype=np.float32) / k  # (2, h / k, w / k) in its own pixels
            self._flow, self._flow_image = coarse, None
            self._flow_rect = (
                photo_rect if box is None else QRectF(QPointF(box[0], box[1]), QPointF(box[2], box[3]))
            )
        else:
            self._flow = None
        self.update()

    @property
    def has_result(self) -> bool:
        return self._composed is not None

    @property
    def has_flow(self) -> bool:
        return self._flow is not None

    def composed_rgb(self) -> np.ndarray | None:
        """The result at the photo's size and framing (what "Save result image" writes).

        A quick preview (a bounded copy, shown while a joint is dragged) comes back scaled up to that size;
        the result of a settled pose is rendered at full size and comes back as it is.
        """
        if self._composed is None:
            return None
        image = self._composed
        if self._photo is not None and image.size() != self._photo.size():
            image = image.scaled(self._photo.size(), Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)  # fmt: skip
        return qimage_to_rgb(image)

    @property
    def shows_preview(self) -> bool:
        """True while the result shown is a quick preview smaller than the photo."""
        return self._composed is not None and self._photo is not None and self._composed.size() != self._photo.size()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown view mode {mode!r}")
        self.mode = mode
        self.update()

    # ----- painting ---------------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the photo-sized image is drawn in the widget."""
        ref = self._photo or self._composed  # the photo's frame: a preview is drawn at the same place and size
        if ref is None:
            return QRectF()
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        s = min(area.width() / ref.width(), area.height() / ref.height())
        w, h = ref.width() * s, ref.height() * s
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(38, 38, 42))
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._composed is None:
            p.setPen(QColor(200, 200, 200))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        rect = self.image_rect()
        p.drawImage(rect, self._composed)
        if self.mode == "split" and self._photo is not None:
            x = rect.left() + self.split * rect.width()
            left = QRectF(rect.left(), rect.top(), x - rect.left(), rect.height())
            src = QRectF(0, 0, self.split * self._photo.width(), self._photo.height())
            p.drawImage(left, self._photo, src)
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            p.setBrush(QColor(255, 255, 255))
            p.drawEllipse(QPointF(x, rect.center().y()), 9, 9)
            self._tag(p, QPointF(rect.left() + 6, rect.top() + 6), "Photo")
            self._tag(p, QPointF(rect.right() - 60, rect.top() + 6), "Result")
        elif self.mode == "flow" and self._flow is not None and self._flow_rect is not None:
            ref = self._photo or self._composed
            s = rect.width() / ref.width()
            fr = self._flow_rect
            target = QRectF(rect.left() + fr.left() * s, rect.top() + fr.top() * s, fr.width() * s, fr.height() * s)
            p.save()
            p.setClipRect(rect)
            p.setOpacity(0.75)
            if self._flow_image is None:
                self._flow_image = rgb_to_qimage(flow_source_colors(self._flow))
            p.drawImage(target, self._flow_image)
            p.restore()
            self._legend(p, rect)

    @staticmethod
    def _tag(p: QPainter, at: QPointF, text: str) -> None:
        r = QRectF(at, QSize(54, 20).toSizeF())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(r, 4, 4)
        p.setPen(QColor(255, 255, 255))
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _legend(p: QPainter, rect: QRectF) -> None:
        box = QRectF(rect.left() + 8, rect.bottom() - 58, 50, 50)
        p.setOpacity(1.0)
        p.drawImage(box, rgb_to_qimage(flow_source_colors(np.zeros((2, 50, 50), np.float32), moved_px=0)))
        text = QRectF(box.right() + 6, box.top(), 200, 50)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(text, 4, 4)
        p.setPen(QColor(255, 255, 255))
        p.drawText(text.adjusted(6, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "coloured: pixels that moved;\ncolour = where in the photo\nthey were taken from")

    # ----- split slider -----------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._move_split(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._move_split(event)

    def _move_split(self, event: QMouseEvent) -> None:
        rect = self.image_rect()
        if self.mode != "split" or rect.isEmpty():
            return
        self.split = float(np.clip((event.position().x() - rect.left()) / rect.width(), 0.0, 1.0))
        self.splitMoved.emit(self.split)
        self.update()


class _painter:
    """``with _painter(image) as p:`` — a QPainter that is always ended."""

    def __init__(self, device: QImage) -> None:
        self._p = QPainter(device)

    def __enter__(self) -> QPainter:
        return self._p

    def __exit__(self, *exc: object) -> None:
        self._p.end()
