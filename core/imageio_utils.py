"""The one image loader and writer: any photo a user opens becomes an (H, W, 3) uint8 RGB array."""

from __future__ import annotations

import io
import os
import struct
import sys
import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.atomic import atomic_path
from core.errors import ExportError, ImageLoadError

# Largest image accepted, in pixels (20000 x 20000). A larger header is refused before any
# pixel is decoded, so a "decompression bomb" cannot exhaust memory.
MAX_PIXELS = 20000 * 20000
# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; our own check comes first.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}

# Environment variables that opencv-contrib-python's cv2/__init__.py points at its bundled Qt 5.
_CV2_ENV_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "LD_LIBRARY_PATH")
# Their values before cv2 was first imported (None when cv2 was already imported by then).
_ENV_BEFORE_CV2 = None if "cv2" in sys.modules else {k: os.environ.get(k) for k in _CV2_ENV_VARS}


def import_cv2() -> ModuleType:
    """Import OpenCV and undo the Qt environment variables its wheel sets, so Qt never sees its Qt 5.

    Every module in the project gets cv2 from here (``cv2 = import_cv2()``). Safe to call
    repeatedly and after something else (MediaPipe) imported cv2 first.
    """
    import cv2

    _restore_cv2_env(os.path.dirname(os.path.abspath(cv2.__file__)))
    return cv2


def _restore_cv2_env(cv2_dir: str) -> None:
    # OpenCV writes its own location into the variables, as the path it was found by or its real path.
    prefixes = (cv2_dir, os.path.realpath(cv2_dir))
    for key in _CV2_ENV_VARS:
        value = os.environ.get(key)
        if value is None:
            continue
        before = (_ENV_BEFORE_CV2 or {}).get(key)
        if key == "LD_LIBRARY_PATH":
            kept = [p for p in value.split(os.pathsep) if p and not p.startswith(prefixes)]
            new = os.pathsep.join(kept) if kept else before
        else:
            new = before if value.startswith(prefixes) else value
        if new is None or new == "":
            os.environ.pop(key, None)
        elif new != value:
            os.environ[key] = new


# ----- loading ----------------------------------------------------------------------------


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 RGB at full resolution.

    EXIF orientation is applied; transparency is composited over white; 16-bit and float
    images are scaled to 8 bits; grayscale, palette and CMYK images are converted (CMYK through
    its ICC profile when it has one). Raises ImageLoadError naming the file for a missing,
    unreadable, truncated, corrupt, non-image or oversized file.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImageLoadError(f"cannot open {p}: no such file") from None
    except IsADirectoryError:
        raise ImageLoadError(f"cannot open {p}: it is a folder, not an image") from None
    except PermissionError:
        raise ImageLoadError(f"cannot open {p}: permission denied") from None
    except OSError as exc:
        raise ImageLoadError(f"cannot open {p}: {exc.strerror or exc}") from None
    if not data:
        raise ImageLoadError(f"cannot open {p}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > MAX_PIXELS or w <= 0 or h <= 0:
                raise ImageLoadError(
                    f"cannot open {p}: {w}x{h} pixels is larger than the supported "
                    f"{MAX_PIXELS // 1_000_000} megapixels (resize it first)"
                )
            im.load()
            return _to_rgb8(_upright(im))
    except ImageLoadError:
        raise
    except UnidentifiedImageError:
        raise ImageLoadError(f"cannot open {p}: not an image file, or a format Pillow cannot read") from None
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(f"cannot open {p}: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError) as exc:
        detail = str(exc) or type(exc).__name__
        if "truncated" in detail.lower():
            raise ImageLoadError(f"cannot open {p}: the file is truncated (incomplete download or copy?)") from None
        raise ImageLoadError(f"cannot open {p}: the file is corrupt or unsupported ({detail})") from None
    except MemoryError:
        raise ImageLoadError(f"cannot open {p}: not enough memory to decode it") from None


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag; a broken EXIF block leaves the image as stored."""
    try:
        return ImageOps.exif_transpose(im) or im
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, struct.error):
        return im


def _to_rgb8(im: Image.Image) -> np.ndarray:
    """Convert any Pillow image to (H, W, 3) uint8 RGB, compositing alpha over white."""
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        gray = _scale_to_8bit(np.asarray(im), mode)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "CMYK":
        im = _cmyk_to_rgb(im)
        mode = im.mode
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        im = white
    rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def _scale_to_8bit(arr: np.ndarray, mode: str) -> np.ndarray:
    """(H, W) 16-bit, 32-bit integer or float pixels -> (H, W) uint8."""
    a = arr.astype(np.float64)
    if mode.startswith("I;16"):
        a = a / 257.0
    elif mode == "I":
        top = float(a.max()) if a.size else 0.0
        a = a / 257.0 if top > 255 and top <= 65535 else (a * (255.0 / top) if top > 65535 else a)
    else:  # "F": [0, 1] floats are scaled up; anything else is clipped to [0, 255]
        a = np.nan_to_num(a)
        a = a * 255.0 if a.size and float(np.abs(a).max()) <= 1.0 else a
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:  # None only for inPlace=True
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return im.convert("RGB")


# ----- bounded copies ---------------------------------------------------------------------


def bounded(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """A copy whose longer side is at most ``max_side``, and the scale that made it.

    Coordinates in the small image times ``1 / scale`` are original pixels. An image that
    already fits is returned as is with scale 1.0.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be positive, got {max_side}")
    h, w = image.shape[:2]
    longest = max(h, w)
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    new_w = max(1, int(round(w * scale)))
    new_h = max(1, int(round(h * scale)))
    cv2 = import_cv2()
    small = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    return small, scale


# ----- saving -----------------------------------------------------------------------------


def save_image(path: str | os.PathLike, rgb: np.ndarray, quality: int = 95) -> None:
    """Write an (H, W, 3) or (H, W) uint8 image atomically as PNG or JPEG, chosen by extension."""
    p = Path(path)
    fmt = SAVE_FORMATS.get(p.suffix.lower())
    if fmt is None:
        choices = ", ".join(sorted(SAVE_FORMATS))
        raise ExportError(f"cannot save {p}: unknown image extension {p.suffix or '(none)'!r}; use one of {choices}")
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8 or not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)):
        raise ExportError(f"cannot save {p}: expected an (H, W, 3) uint8 image, got {arr.shape} {arr.dtype}")
    im = Image.fromarray(np.ascontiguousarray(arr))
    options = {"quality": int(quality), "optimize": True} if fmt == "JPEG" else {"compress_level": 6}
    with atomic_path(p) as tmp:
        im.save(tmp, format=fmt, **options)
