"""The Preferences dialog: compute device, the checkpoint in use (imported into weights/) and the detector."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import Services
from app.settings import BACKENDS, Settings
from app.worker import user_message

WARP_LABEL = "Skeleton warp (no checkpoint)"
DEVICE_LABELS = {"auto": "Auto (GPU when available)", "cpu": "CPU", "cuda": "CUDA GPU"}
BACKEND_LABELS = {"mediapipe": "MediaPipe (built in)", "mmpose": "MMPose (optional extra)"}


def entry_path(entry: Any) -> str:
    """The checkpoint file of a weights manifest entry (``ManifestEntry.path()``)."""
    path = entry.path
    return str(path() if callable(path) else path)


def entry_label(entry: Any) -> str:
    """'pose_fashion — fashion.pth' for a weights manifest entry."""
    original = getattr(entry, "original_name", None) or os.path.basename(entry_path(entry))
    return f"{entry.kind} — {original}"


def renderer_entries(services: Services) -> list[Any]:
    """Imported checkpoints that can render a single image (pose-transfer and animation kinds)."""
    try:
        entries = services.find_weights()
    except Exception:  # no manifest yet, or an unreadable one: offer the warp renderer only
        return []
    return [e for e in entries if e.kind.startswith(("pose_", "dance_")) and e.kind != "dance_keypoint"]


class PreferencesDialog(QDialog):
    """Edits a Settings object when accepted; importing a checkpoint happens at once (it writes weights/)."""

    def __init__(self, settings: Settings, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings, self.services = settings, services
        self.device = QComboBox()
        for key, label in DEVICE_LABELS.items():
            self.device.addItem(label, key)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        self.checkpoint = QComboBox()
        self.checkpoint.setMinimumWidth(320)
        self._fill_checkpoints(settings.checkpoint)
        import_button = QPushButton("Import checkpoint file…")
        import_button.setToolTip("Copies a published GFLA .pth (or our .safetensors) into weights/ and checks it")
        import_button.clicked.connect(self._import)
        self.backend = QComboBox()
        for key in BACKENDS:
            self.backend.addItem(BACKEND_LABELS[key], key)
        self.backend.setCurrentIndex(max(0, self.backend.findData(settings.detector_backend)))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.checkpoint, 1)
        row.addWidget(import_button)
        form = QFormLayout()
        form.addRow("Renderer:", row)
        form.addRow("Device:", self.device)
        form.addRow("Pose detector:", self.backend)
        note = QLabel("Without a checkpoint the built-in skeleton warp renders. With one, the warp previews "
                      "while you drag and the GFLA network renders when you let go.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _fill_checkpoints(self, selected: str | None) -> None:
        self.checkpoint.clear()
        self.checkpoint.addItem(WARP_LABEL, "")
        for entry in renderer_entries(self.services):
            self.checkpoint.addItem(entry_label(entry), entry_path(entry))
        if selected and self.checkpoint.findData(selected) < 0:
            self.checkpoint.addItem(os.path.basename(selected), selected)
        self.checkpoint.setCurrentIndex(max(0, self.checkpoint.findData(selected or "")))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a GFLA checkpoint", os.path.expanduser("~"), "Checkpoints (*.pth *.pt *.safetensors)"
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> bool:
        """Import ``path`` into weights/ and select it; shows the reason in the dialog when it fails."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            entry = self.services.import_checkpoint(path)
        except Exception as exc:
            self.message.setText(f"<span style='color:#d55'>Could not import: {user_message(exc)}</span>")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._fill_checkpoints(entry_path(entry))
        self.message.setText(f"Imported {entry_label(entry)}.")
        return True

    def apply(self) -> None:
        """Write the dialog's choices into the settings."""
        self.settings.device = self.device.currentData()
        self.settings.checkpoint = self.checkpoint.currentData() or None
        self.settings.detector_backend = self.backend.currentData()
