"""A plain picture pane: an RGB image (or a region of it) scaled to fit with its aspect kept, or placeholder text."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.qimage import rgb_to_qimage


class ImagePane(QWidget):
    """Shows one (H, W, 3) uint8 image, letterboxed on a dark background."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self._rgb: np.ndarray | None = None
        self._qimage: QImage | None = None
        self.region: tuple[float, float, float, float] | None = None  # shown part, as fractions of the image
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    @property
    def rgb(self) -> np.ndarray | None:
        """The image shown (None when empty)."""
        return self._rgb

    def set_image(self, rgb: np.ndarray | None) -> None:
        self._rgb = None if rgb is None else np.array(rgb, dtype=np.uint8)
        self._qimage = None if self._rgb is None else rgb_to_qimage(self._rgb)
        self.update()

    def set_region(self, region: tuple[float, float, float, float] | None) -> None:
        """Show only (x0, y0, x1, y1), given as fractions of the image's width and height (None: all of it), so
        images of different sizes (a drag preview and the full result) show the same part."""
        self.region = region
        self.update()

    def source_rect(self) -> QRectF:
        """The part of the current image that is drawn, in its pixels (empty without one)."""
        if self._qimage is None:
            return QRectF()
        w, h = self._qimage.width(), self._qimage.height()
        if self.region is None:
            return QRectF(0, 0, w, h)
        x0, y0, x1, y1 = (min(max(v, 0.0), 1.0) for v in self.region)
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            return QRectF(0, 0, w, h)
        return QRectF(x0 * w, y0 * h, (x1 - x0) * w, (y1 - y0) * h)

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(38, 38, 42))
        if self._qimage is None:
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect().adjusted(12, 12, -12, -12),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        src = self.source_rect()
        scale = min(self.width() / src.width(), self.height() / src.height())
        tw, th = src.width() * scale, src.height() * scale
        painter.drawImage(QRectF((self.width() - tw) / 2, (self.height() - th) / 2, tw, th), self._qimage, src)
