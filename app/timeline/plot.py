"""The pyqtgraph timeline strip: frame and seconds axes, interpolation bands, ◆ keyframe markers and the playhead.

Mouse (left button, handled here on the view so a whole gesture is one edit): press on a ◆ selects it
(Shift adds to the selection) and dragging it moves the keyframe, committed as one undo step on release;
press anywhere else puts the playhead there and dragging scrubs. The wheel zooms the time axis,
the middle button pans it, right-click opens the keyframe / segment menu.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, QSize, Qt  # noqa: E402
from PySide6.QtGui import QColor, QContextMenuEvent, QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QMenu, QWidget  # noqa: E402

from app.timeline.controller import TimelineController  # noqa: E402
from core.animation.keyframes import INTERPOLATIONS  # noqa: E402

MARKER_HIT_PX = 9  # screen pixels around a ◆ that grab it
BAND = (0.30, 0.70)  # y extent of the interpolation bands; markers sit on the middle line
INTERP_COLOURS = {"hold": (120, 120, 128), "linear": (64, 132, 214), "smooth": (60, 170, 110), "ease": (168, 98, 204)}
INTERP_TITLES = {"hold": "Hold", "linear": "Linear", "smooth": "Smooth (spline)", "ease": "Ease in/out"}


class SecondsAxis(pg.AxisItem):
    """An axis over frame numbers that labels and spaces its ticks in seconds."""

    def __init__(self, orientation: str, fps: float = 24.0) -> None:
        super().__init__(orientation)
        self.fps = fps

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803 - pyqtgraph API
        levels = super().tickValues(minVal / self.fps, maxVal / self.fps, size)
        return [(spacing * self.fps, [v * self.fps for v in values]) for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        step = spacing / self.fps
        digits = 0 if step >= 1 else 1 if step >= 0.1 else 2
        return [f"{v / self.fps:.{digits}f} s" for v in values]


class TimelineView(pg.PlotWidget):
    """Draws ``ctl``'s track and playhead and turns mouse gestures into controller calls."""

    def __init__(self, ctl: TimelineController, parent: QWidget | None = None) -> None:
        self.seconds_axis = SecondsAxis("top", ctl.track.fps)
        super().__init__(parent, background="#1e1e22", axisItems={"top": self.seconds_axis})
        self.ctl = ctl
        item = self.plot_item
        item.hideAxis("left")
        item.showAxis("top")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getAxis("bottom").setLabel("frame")
        self.vb = item.getViewBox()
        self.vb.setMouseEnabled(x=True, y=False)
        self.vb.setYRange(0, 1, padding=0)
        self.setMinimumHeight(96)
        self.bands = pg.BarGraphItem(x0=[], width=[], y0=BAND[0], height=BAND[1] - BAND[0], brushes=[], pen=None)
        self.markers = pg.ScatterPlotItem(symbol="d", size=15, pxMode=True)
        self.end_line = pg.InfiniteLine(angle=90, pen=pg.mkPen((200, 200, 200, 120), style=Qt.PenStyle.DashLine))
        self.playhead = pg.InfiniteLine(angle=90, pen=pg.mkPen((240, 70, 60), width=2), label="",
                                        labelOpts={"position": 0.9, "color": (255, 230, 225), "fill": (150, 30, 25, 200)})
        self.drag_hint = pg.TextItem("", color=(255, 255, 255), anchor=(0.5, 1.4))
        for it in (self.bands, self.end_line, self.markers, self.playhead, self.drag_hint):
            item.addItem(it)
        self.labels: list[tuple[pg.TextItem, int]] = []  # (label, its segment's length in frames)
        self._drag_key: int | None = None  # frame of the ◆ being dragged
        self._drag_to: int | None = None
        self._scrubbing = False
        ctl.trackChanged.connect(self.refresh)
        ctl.selectionChanged.connect(self._draw_markers)
        ctl.frameChanged.connect(self._draw_playhead)
        self.vb.sigXRangeChanged.connect(lambda *_: self._place_labels())
        self._shown_length = -1
        self.refresh()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(600, 110)

    # ----- coordinates ------------------------------------------------------------------------
    def frame_at(self, pos: QPoint | QPointF) -> float:
        """The (fractional) frame under viewport position ``pos``."""
        return float(self.vb.mapSceneToView(self.mapToScene(QPoint(int(pos.x()), int(pos.y())))).x())

    def frame_viewport_pos(self, frame: float, y: float = 0.5) -> QPoint:
        """Where frame ``frame`` (at height ``y`` of the strip) is drawn, in viewport pixels."""
        return self.mapFromScene(self.vb.mapViewToScene(QPointF(frame, y)))

    def key_at(self, pos: QPoint | QPointF) -> int | None:
        """The frame of the ◆ under ``pos`` (within MARKER_HIT_PX), else None."""
        best, best_d = None, float(MARKER_HIT_PX) + 0.5
        for k in self.ctl.track.keyframes:
            p = self.frame_viewport_pos(k.frame)
            if abs(p.y() - pos.y()) > 2 * MARKER_HIT_PX:
                continue
            d = abs(p.x() - pos.x())
            if d < best_d:
                best, best_d = k.frame, d
        return best

    # ----- drawing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        track = self.ctl.track
        self.seconds_axis.fps = track.fps
        self.seconds_axis.picture = None
        self.seconds_axis.update()
        if track.length_frames != self._shown_length:
            self._shown_length = track.length_frames
            self.vb.setLimits(xMin=-1.0, xMax=track.length_frames + 1.0, minXRange=4)
            self.vb.setXRange(-0.5, track.length_frames - 0.5, padding=0.01)
        self.end_line.setPos(track.length_frames - 0.5)
        keys = track.keyframes
        segs = list(zip(keys[:-1], keys[1:], strict=True))
        self.bands.setOpts(
            x0=[a.frame for a, _ in segs], width=[b.frame - a.frame for a, b in segs],
            brushes=[pg.mkBrush(*INTERP_COLOURS[a.interp], 150) for a, _ in segs],
        )
        for label, _ in self.labels:
            self.plot_item.removeItem(label)
        self.labels = []
        if len(segs) <= 64:
            for a, b in segs:
                label = pg.TextItem(a.interp, color=(235, 235, 240), anchor=(0.5, 0.5))
                label.setPos((a.frame + b.frame) / 2.0, 0.5)
                label.setToolTip(f"Frames {a.frame}–{b.frame}: {INTERP_TITLES[a.interp]}")
                self.plot_item.addItem(label)
                self.labels.append((label, b.frame - a.frame))
        self._place_labels()
        self._draw_markers()
        self._draw_playhead(self.ctl.frame)

    @property
    def plot_item(self) -> pg.PlotItem:
        """The widget's one plot (pyqtgraph types it as optional; a PlotWidget always has it)."""
        item = self.getPlotItem()
        assert item is not None
        return item

    def _place_labels(self) -> None:
        """Show a segment's name only where the segment is wide enough on screen to hold it."""
        px_per_frame = self.vb.width() / max(self.vb.viewRange()[0][1] - self.vb.viewRange()[0][0], 1e-6)
        for label, span in self.labels:
            label.setVisible(span * px_per_frame > 48)

    def _draw_markers(self) -> None:
        sel = set(self.ctl.selection)
        spots = []
        for k in self.ctl.track.keyframes:
            frame = self._drag_to if (k.frame == self._drag_key and self._drag_to is not None) else k.frame
            chosen = k.frame in sel
            spots.append({
                "pos": (frame, 0.5), "data": k.frame, "size": 17 if chosen else 14,
                "brush": pg.mkBrush(255, 214, 90) if chosen else pg.mkBrush(235, 235, 240),
                "pen": pg.mkPen(255, 255, 255, width=2) if chosen else pg.mkPen(20, 20, 20, width=1),
            })
        self.markers.setData(spots)

    def _draw_playhead(self, frame: int) -> None:
        self.playhead.setPos(frame)
        fps = self.ctl.track.fps
        self.playhead.label.setFormat(f"{frame}  ({frame / fps:.2f} s)")

    # ----- mouse ------------------------------------------------------------------------------
    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(ev)
            return
        self.setFocus()
        pos = ev.position()
        key = self.key_at(pos)
        if key is not None:
            add = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if not add or key not in self.ctl.selection:
                self.ctl.select([key], add=add)
            self._drag_key, self._drag_to = key, None
        else:
            if not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.ctl.select([])
            self._scrubbing = True
            self.ctl.set_frame(round(self.frame_at(pos)), interactive=True)
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = ev.position()
        if self._drag_key is not None:
            to = int(min(max(round(self.frame_at(pos)), 0), self.ctl.track.length_frames - 1))
            if to != self._drag_key or self._drag_to is not None:
                self._drag_to = to
                taken = to != self._drag_key and self.ctl.track.index_of(to) is not None
                self.drag_hint.setText(f"→ {to}" + (" (taken)" if taken else ""))
                self.drag_hint.setPos(to, 0.5)
                self._draw_markers()
            ev.accept()
            return
        if self._scrubbing:
            self.ctl.set_frame(round(self.frame_at(pos)), interactive=True)
            ev.accept()
            return
        key = self.key_at(pos)
        self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if key is not None else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(ev)
            return
        if self._drag_key is not None:
            key, to = self._drag_key, self._drag_to
            self._drag_key, self._drag_to = None, None
            self.drag_hint.setText("")
            if to is None or to == key:  # a click on a ◆: the playhead jumps to it
                self._draw_markers()
                self.ctl.set_frame(key)
            elif not self.ctl.move_key(key, to):
                self._draw_markers()
        elif self._scrubbing:
            self._scrubbing = False
            self.ctl.set_frame(self.ctl.frame, interactive=False)  # settled: the network may render now
        ev.accept()

    # ----- context menu -----------------------------------------------------------------------
    def build_context_menu(self, pos: QPoint | QPointF) -> QMenu:
        """The right-click menu for viewport position ``pos`` (built separately from showing it, for tests)."""
        ctl = self.ctl
        menu = QMenu(self)
        key = self.key_at(pos)
        frame = int(min(max(round(self.frame_at(pos)), 0), ctl.track.length_frames - 1))
        if key is not None:
            menu.addAction(f"Delete keyframe {key}", lambda: ctl.delete_keys([key]))
            menu.addAction(f"Duplicate keyframe {key} to the playhead", lambda: ctl.duplicate_key(key))
            menu.addAction(f"Copy keyframe {key}", lambda: ctl.copy([key]))
            menu.addAction(f"Key the canvas pose at {key}", lambda: ctl.add_key(key))
            seg = key
        else:
            menu.addAction(f"Add keyframe at {frame} from the canvas pose", lambda: ctl.add_key(frame))
            paste = menu.addAction(f"Paste at {frame}", lambda: ctl.paste(frame))
            paste.setEnabled(bool(ctl.clipboard))
            before = [k.frame for k in ctl.track.keyframes if k.frame <= frame]
            seg = before[-1] if before else None
        if seg is not None:
            sub = menu.addMenu(f"Interpolation from keyframe {seg}")
            seg_key = ctl.track.keyframe_at(seg)
            current = seg_key.interp if seg_key is not None else None
            for name in INTERPOLATIONS:
                act = sub.addAction(INTERP_TITLES[name], lambda n=name, s=seg: ctl.set_interp(n, s))
                act.setCheckable(True)
                act.setChecked(name == current)
        return menu

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # noqa: N802 - Qt API
        self.build_context_menu(ev.pos()).exec(ev.globalPos())
        ev.accept()


def interp_colour(name: str) -> QColor:
    return QColor(*INTERP_COLOURS[name])
