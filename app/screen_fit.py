"""The first window's size: what the layout prefers, shrunk to the screen it opens on."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

PREFERRED_SIZE = (1400, 860)  # the first window's size where the screen has room for it
TITLE_BAR_PX = 32  # left for a window manager's title bar, so the window's frame fits too


def fit_to_screen(window: QMainWindow, preferred: tuple[int, int]) -> None:
    """Size ``window`` to ``preferred``, shrunk to its screen's free area (a 1280×720 laptop shows it all)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(*preferred)
        return
    free = screen.availableGeometry()
    hint = window.minimumSizeHint()
    width = max(min(preferred[0], free.width()), hint.width())
    height = max(min(preferred[1], free.height() - TITLE_BAR_PX), hint.height())
    window.resize(width, height)
    if width >= free.width() or height >= free.height() - TITLE_BAR_PX:
        window.move(free.topLeft())
    else:  # a large screen: in its middle, not in a corner
        window.move(free.x() + (free.width() - width) // 2, free.y() + (free.height() - height - TITLE_BAR_PX) // 2)
