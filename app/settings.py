"""The editor's persistent settings (device, checkpoint, detector, recent files, view) on top of QSettings."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANIZATION = "GFLA Pose Studio"
APPLICATION = "GFLA Pose Studio"
MAX_RECENT = 8
DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("mediapipe", "mmpose")


class Settings:
    """Typed accessors over one QSettings store; tests pass a store in a temporary file."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    def _get(self, key: str, default: str) -> str:
        value = self.store.value(key, default)
        return default if value is None else str(value)

    # ----- rendering / detection --------------------------------------------------------
    @property
    def device(self) -> str:
        value = self._get("render/device", "auto")
        return value if value in DEVICES else "auto"

    @device.setter
    def device(self, value: str) -> None:
        self.store.setValue("render/device", value)

    @property
    def checkpoint(self) -> str | None:
        """Path of the checkpoint in use, or None for the embedded skeleton warp."""
        return self._get("render/checkpoint", "") or None

    @checkpoint.setter
    def checkpoint(self, value: str | None) -> None:
        self.store.setValue("render/checkpoint", value or "")

    @property
    def detector_backend(self) -> str:
        value = self._get("detect/backend", "mediapipe")
        return value if value in BACKENDS else "mediapipe"

    @detector_backend.setter
    def detector_backend(self, value: str) -> None:
        self.store.setValue("detect/backend", value)

    # ----- view -------------------------------------------------------------------------
    @property
    def view_mode(self) -> str:
        return self._get("view/mode", "side")

    @view_mode.setter
    def view_mode(self, value: str) -> None:
        self.store.setValue("view/mode", value)

    @property
    def hint_done(self) -> bool:
        """True once the user has dragged a joint (the first-run hint then stays hidden)."""
        return self._get("view/hint_done", "false").lower() == "true"

    @hint_done.setter
    def hint_done(self, value: bool) -> None:
        self.store.setValue("view/hint_done", "true" if value else "false")

    # ----- recent files -----------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        elif not isinstance(value, list | tuple):
            value = []
        return [str(v) for v in value][:MAX_RECENT]

    def add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files if p != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    def last_dir(self) -> str:
        recent = self.recent_files
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    def sync(self) -> None:
        self.store.sync()
