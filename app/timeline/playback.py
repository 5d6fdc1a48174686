"""Playback of the timeline in real time at the track's frame rate, with loop, driven by a QTimer.

The frame shown is computed from the wall clock (start frame + elapsed · fps), so playback keeps time
even when a preview render is slower than one frame: frames are skipped, never slowed down.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from app.timeline.controller import TimelineController

TICK_MS = 10  # how often the clock is read; the frame changes at the track's fps


class Playback(QObject):
    """Plays ``ctl``'s animation; moving the playhead by hand (scrubbing) pauses it."""

    playingChanged = Signal(bool)

    def __init__(self, ctl: TimelineController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctl = ctl
        self.loop = True
        self.frames_shown = 0  # frames advanced since the last start (tests and the status bar read it)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._start_frame = 0
        self._mine = -1  # the frame this object set last (others mean the user took over)
        ctl.frameChanged.connect(self._on_frame)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if self.playing or self.ctl.track.length_frames < 2:
            return
        if not self.loop and self.ctl.frame >= self.ctl.track.length_frames - 1:
            self._mine = 0
            self.ctl.set_frame(0, interactive=True)  # at the end without loop: start again from the top
        self._start_frame, self._mine = self.ctl.frame, self.ctl.frame
        self.frames_shown = 0
        self._clock.start()
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self.playingChanged.emit(False)
        self.ctl.set_frame(self.ctl.frame, interactive=False)  # settled: the network renders this frame

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        n = self.ctl.track.length_frames
        step = int(self._clock.elapsed() * self.ctl.track.fps / 1000.0)
        frame = self._start_frame + step
        if frame >= n:
            if not self.loop:
                self._go(n - 1)
                self.pause()
                return
            frame %= n
        self._go(frame)

    def _go(self, frame: int) -> None:
        if frame != self.ctl.frame:
            self._mine = frame
            self.frames_shown += 1
            self.ctl.set_frame(frame, interactive=True)

    def _on_frame(self, frame: int) -> None:
        if self.playing and frame != self._mine:
            self.pause()  # the user moved the playhead
