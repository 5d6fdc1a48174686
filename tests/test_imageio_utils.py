"""Any image a user opens loads as (H, W, 3) uint8 RGB, or fails with a clear ImageLoadError naming the file."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import ExportError, ImageLoadError
from core.imageio_utils import MAX_PIXELS, bounded, import_cv2, load_image, save_image

REPO = Path(__file__).resolve().parents[1]


def _check_rgb(arr: np.ndarray, shape_hw: tuple[int, int]) -> None:
    assert arr.dtype == np.uint8
    assert arr.shape == (*shape_hw, 3)


def _quadrants(h: int = 40, w: int = 60) -> np.ndarray:
    """Four flat colours, so orientation changes are visible even through JPEG."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (255, 0, 0)
    a[: h // 2, w // 2 :] = (0, 255, 0)
    a[h // 2 :, : w // 2] = (0, 0, 255)
    a[h // 2 :, w // 2 :] = (255, 255, 0)
    return a


def _quadrant_means(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[:2]
    qs = [a[: h // 2, : w // 2], a[: h // 2, w // 2 :], a[h // 2 :, : w // 2], a[h // 2 :, w // 2 :]]
    return np.array([q[2:-2, 2:-2].reshape(-1, 3).mean(axis=0) for q in qs])


@pytest.mark.parametrize("orientation, k", [(6, -1), (8, 1), (3, 2)])
def test_camera_photo_with_exif_orientation_is_shown_upright(tmp_path, orientation, k):
    stored = _quadrants()
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(stored).save(path, quality=95, exif=exif)
    out = load_image(path)
    expected = np.rot90(stored, k=k)
    _check_rgb(out, expected.shape[:2])
    assert np.abs(_quadrant_means(out) - _quadrant_means(expected)).max() < 30


def test_transparent_png_is_composited_over_white(tmp_path):
    rgba = np.zeros((10, 12, 4), np.uint8)
    rgba[..., :3] = (200, 10, 10)
    rgba[:, :4, 3] = 0  # fully transparent
    rgba[:, 4:8, 3] = 255  # opaque
    rgba[:, 8:, 3] = 128  # half
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    _check_rgb(out, (10, 12))
    assert (out[:, :4] == 255).all()
    assert (out[:, 4:8] == (200, 10, 10)).all()
    half = out[0, 9].astype(int)
    assert abs(half[0] - 227) <= 2 and abs(half[1] - 132) <= 2


def test_16_bit_grayscale_png_is_scaled_to_8_bits(tmp_path):
    g = np.array([[0, 257 * 100, 40000, 65535]], np.uint16).repeat(3, axis=0)
    Image.fromarray(g).save(tmp_path / "g16.png")
    assert Image.open(tmp_path / "g16.png").mode.startswith("I;16")
    out = load_image(tmp_path / "g16.png")
    _check_rgb(out, (3, 4))
    assert out[0, :, 0].tolist() == [0, 100, round(40000 / 257), 255]
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def test_16_bit_colour_png_keeps_its_colours(tmp_path):
    cv2 = import_cv2()
    bgr16 = np.zeros((5, 6, 3), np.uint16)
    bgr16[..., 2] = 65535  # red in OpenCV's BGR order
    bgr16[..., 1] = 257 * 128
    assert cv2.imwrite(str(tmp_path / "c16.png"), bgr16)
    out = load_image(tmp_path / "c16.png")
    _check_rgb(out, (5, 6))
    assert np.abs(out[0, 0].astype(int) - (255, 128, 0)).max() <= 1


def test_float_tiff_in_unit_range_is_scaled_to_8_bits(tmp_path):
    f = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    Image.fromarray(f, "F").save(tmp_path / "f.tif")
    out = load_image(tmp_path / "f.tif")
    _check_rgb(out, (3, 4))
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255


def test_grayscale_and_bilevel_images_become_rgb(tmp_path):
    g = (np.arange(20, dtype=np.uint8) * 12).reshape(4, 5)
    Image.fromarray(g, "L").save(tmp_path / "g.png")
    Image.fromarray(g > 100).save(tmp_path / "b.png")
    out = load_image(tmp_path / "g.png")
    _check_rgb(out, (4, 5))
    assert (out[..., 0] == g).all() and (out[..., 2] == g).all()
    bw = load_image(tmp_path / "b.png")
    assert set(np.unique(bw).tolist()) <= {0, 255}


def test_palette_images_with_and_without_transparency(tmp_path):
    rgb = _quadrants(8, 8)
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(tmp_path / "p.png")
    out = load_image(tmp_path / "p.png")
    _check_rgb(out, (8, 8))
    assert (out == rgb).all()
    pal = Image.new("P", (4, 4), 1)
    pal.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    pal.putpixel((0, 0), 0)
    pal.info["transparency"] = 0
    pal.save(tmp_path / "pt.png", transparency=0)
    out = load_image(tmp_path / "pt.png")
    assert out[0, 0].tolist() == [255, 255, 255] and out[1, 1].tolist() == [10, 200, 30]


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path):
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red in CMYK
    cmyk.save(tmp_path / "cmyk.jpg", quality=95)
    assert Image.open(tmp_path / "cmyk.jpg").mode == "CMYK"
    out = load_image(tmp_path / "cmyk.jpg")
    _check_rgb(out, (16, 16))
    r, g, b = out[8, 8].astype(int)
    assert r > 200 and g < 60 and b < 60


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width x height but carries (almost) no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_sized_image_is_refused_before_decoding(tmp_path):
    side = int(MAX_PIXELS**0.5) + 1000
    path = tmp_path / "bomb.png"
    _png_header_only(path, side, side)
    with pytest.raises(ImageLoadError) as err:
        load_image(path)
    assert "bomb.png" in str(err.value) and "larger" in str(err.value)


def test_non_ascii_path_loads(tmp_path):
    path = tmp_path / "фото 写真 é.png"
    Image.fromarray(_quadrants()).save(path)
    out = load_image(path)
    assert (out == _quadrants()).all()


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_file_gets_a_clear_error(tmp_path, suffix):
    rng = np.random.default_rng(0)
    full = tmp_path / f"full{suffix}"
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(full)
    cut = tmp_path / f"cut{suffix}"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError) as err:
        load_image(cut)
    msg = str(err.value)
    assert cut.name in msg and ("truncated" in msg or "corrupt" in msg)
    assert "\n" not in msg


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("notes.jpg", b"this is a text file, not a photo\n", "not an image"),
        ("empty.png", b"", "empty"),
        ("garbage.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot open"),
    ],
)
def test_non_image_files_get_a_clear_error(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageLoadError) as err:
        load_image(path)
    assert name in str(err.value) and words in str(err.value)


def test_missing_file_and_folder_get_a_clear_error(tmp_path):
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_bounded_copy_maps_coordinates_back_to_the_original():
    big = np.zeros((2000, 3000, 3), np.uint8)
    big[1200:1260, 2100:2160] = 255  # a bright square centred at (2130, 1230)
    small, scale = bounded(big, 1000)
    assert max(small.shape[:2]) == 1000 and small.dtype == np.uint8
    ys, xs = np.nonzero(small[..., 0] > 127)
    cx, cy = (xs.mean() + 0.5) / scale, (ys.mean() + 0.5) / scale
    assert abs(cx - 2130) < 3 and abs(cy - 1230) < 3


def test_bounded_leaves_small_images_alone():
    img = np.zeros((100, 80, 3), np.uint8)
    small, scale = bounded(img, 100)
    assert small is img and scale == 1.0


def test_saved_png_and_jpeg_read_back(tmp_path):
    img = _quadrants(30, 50)
    save_image(tmp_path / "out.png", img)
    assert (load_image(tmp_path / "out.png") == img).all()
    save_image(tmp_path / "ünï.JPG", img, quality=90)
    assert np.abs(_quadrant_means(load_image(tmp_path / "ünï.JPG")) - _quadrant_means(img)).max() < 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png", "ünï.JPG"]  # no temp files left


def test_saving_with_unknown_extension_or_bad_array_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="extension"):
        save_image(tmp_path / "out.bmpx", _quadrants())
    with pytest.raises(ExportError, match="uint8"):
        save_image(tmp_path / "out.png", np.zeros((4, 4, 3), np.float32))
    assert list(tmp_path.iterdir()) == []


_ENV_PROBE = """
import json, os, sys
sys.path.insert(0, {repo!r})
if {cv2_first}:
    import cv2  # as MediaPipe does, before the project's own import
from core.imageio_utils import import_cv2
cv2 = import_cv2()
import_cv2()
print(json.dumps({{k: os.environ.get(k) for k in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "LD_LIBRARY_PATH")}}))
"""


@pytest.mark.parametrize("cv2_first", [False, True])
def test_importing_cv2_leaves_no_qt_variables_behind(cv2_first):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_QPA")}
    env["LD_LIBRARY_PATH"] = "/opt/user/lib"
    code = _ENV_PROBE.format(repo=str(REPO), cv2_first=cv2_first)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    after = json.loads(out.stdout.strip().splitlines()[-1])
    assert after == {"QT_QPA_PLATFORM_PLUGIN_PATH": None, "QT_QPA_FONTDIR": None, "LD_LIBRARY_PATH": "/opt/user/lib"}
