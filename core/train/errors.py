"""Typed, user-facing errors of the training package (bad configs, unreadable datasets, failed runs)."""

from __future__ import annotations

from core.errors import StudioError


class TrainConfigError(StudioError, ValueError):
    """A training config file is missing, malformed or names impossible settings."""


class DatasetError(StudioError):
    """A training or evaluation dataset is missing files or holds malformed entries."""


class TrainingError(StudioError):
    """A training run cannot start or continue (no checkpoint to resume, diverged losses, ...)."""
