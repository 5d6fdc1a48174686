"""Import mmpose's API on the pip-only install (mmcv-lite, no torchvision), naming what that install lacks.

mmcv-lite ships no compiled ``mmcv.ops`` and the project has no torchvision; mmpose 1.3.2 imports both at
module level for heads and visualisers the top-down inference path never runs (EDPose's deformable
attention, DEKR's deformable convolution, the SimCC visualiser's ``ToPILImage``). Stand-ins let the import
through; touching any of them raises an ImportError that says which piece is missing, so nothing is faked.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

INSTALL = (
    'pip install -e ".[mmpose]" && pip install --no-deps '
    "mmengine==0.10.7 mmcv-lite==2.1.0 mmdet==3.3.0 mmpose==1.3.2 chumpy-fixed==0.71 xtcocotools==1.14.3"
)


def _missing(what: str) -> type:
    def init(*_args: object, **_kwargs: object) -> None:
        raise ImportError(f"{what} is not available on the mmcv-lite install (full mmcv / torchvision needed)")

    return type(what.rsplit(".", 1)[-1], (), {"__init__": init})


def _ops_stub() -> types.ModuleType:
    ops = types.ModuleType("mmcv.ops")

    def getattr_(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _missing(f"mmcv.ops.{name}")

    ops.__getattr__ = getattr_  # type: ignore[method-assign]
    return ops


def import_mmpose_apis() -> Any:
    """Return ``mmpose.apis``; a missing extra is a one-line error with the install command."""
    try:
        if importlib.util.find_spec("mmcv") is not None and importlib.util.find_spec("mmcv._ext") is None:
            sys.modules.setdefault("mmcv.ops", _ops_stub())
        added = []
        if importlib.util.find_spec("torchvision") is None:
            tv, tvt = types.ModuleType("torchvision"), types.ModuleType("torchvision.transforms")
            tvt.ToPILImage = _missing("torchvision.transforms.ToPILImage")  # type: ignore[attr-defined]
            tv.transforms = tvt  # type: ignore[attr-defined]
            sys.modules.update({"torchvision": tv, "torchvision.transforms": tvt})
            added = ["torchvision", "torchvision.transforms"]
        try:
            return importlib.import_module("mmpose.apis")
        finally:
            for name in added:  # no stand-in torchvision left for other libraries to find
                sys.modules.pop(name, None)
    except ImportError as exc:
        raise ImportError(f"the mmpose backend needs the mmpose extra ({exc}); install it with: {INSTALL}") from exc
