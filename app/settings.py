"""The editor's persistent settings (device, checkpoint, detector, recent files, view) on top of QSettings."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANIZATION = "GFLA Pose Studio"
APPLICATION = "GFLA Pose Studio"
MAX_RECENT = 8
DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("mediapipe", "mmpose")


class _Text:
    """A string setting stored under ``key``; a value outside ``choices`` (when given) reads as ``default``."""

    def __init__(self, key: str, default: str, choices: tuple[str, ...] = (), doc: str = "") -> None:
        self.key, self.default, self.choices, self.__doc__ = key, default, choices, doc

    def __get__(self, settings: Settings, owner: object = None) -> str:
        value = settings.store.value(self.key, self.default)
        value = self.default if value is None else str(value)
        return value if not self.choices or value in self.choices else self.default

    def __set__(self, settings: Settings, value: str) -> None:
        settings.store.setValue(self.key, value)


class _Path:
    """A file path setting, or None (stored as "")."""

    def __init__(self, key: str, doc: str = "") -> None:
        self.key, self.__doc__ = key, doc

    def __get__(self, settings: Settings, owner: object = None) -> str | None:
        value = settings.store.value(self.key, "")
        return str(value) if value else None

    def __set__(self, settings: Settings, value: str | None) -> None:
        settings.store.setValue(self.key, value or "")


class _Flag:
    """A yes/no setting, stored as "true" / "false"."""

    def __init__(self, key: str, doc: str = "") -> None:
        self.key, self.__doc__ = key, doc

    def __get__(self, settings: Settings, owner: object = None) -> bool:
        return str(settings.store.value(self.key, "false")).lower() == "true"

    def __set__(self, settings: Settings, value: bool) -> None:
        settings.store.setValue(self.key, "true" if value else "false")


class Settings:
    """Typed accessors over one QSettings store; tests pass a store in a temporary file."""

    device = _Text("render/device", "auto", DEVICES)
    checkpoint = _Path("render/checkpoint", "Path of the checkpoint in use, or None for the embedded skeleton warp.")
    detector_backend = _Text("detect/backend", "mediapipe", BACKENDS)
    view_mode = _Text("view/mode", "side")
    hint_done = _Flag("view/hint_done", "True once the user has dragged a joint (the first-run hint then stays hidden).")

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    # ----- recent files -----------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        items = value if isinstance(value, (list, tuple)) else []
        return [str(v) for v in items][:MAX_RECENT]

    def add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files if p != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    def last_dir(self) -> str:
        recent = self.recent_files
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    def sync(self) -> None:
        self.store.sync()
