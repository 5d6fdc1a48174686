"""68 face landmarks (dlib / iBUG layout) from MediaPipe's face mesh, whose model ships inside the wheel.

MediaPipe's legacy FaceMesh solution finds 468 mesh vertices. They are mapped to the 68-point markup
the published face network was trained on (core.face.layout describes it):

* Points 17-67 (brows, nose, eyes, lips) take the mesh vertex at the same anatomical place, or the
  mean of two vertices where the markup point lies between them (``MESH_TO_FACE68``). Mesh vertex
  33 is the subject's right eye's outer corner (image left), 263 the left eye's, so sides agree.
* The jaw (0-16): the markup spaces its points evenly along the face contour from ear level to the
  chin and back up. The mesh's contour vertices are not evenly spaced, so each half of the jaw is
  resampled: the polyline through ``JAW_CONTOUR_RIGHT`` (or ``_LEFT``), ear level to chin, is cut at
  equal arc lengths into 8 steps, giving points 0-8 (and 16-8).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from core.detect.mediapipe_backend import MediaPipeGraphDetector
from core.errors import Cancelled, NoFaceFound, PoseError

N_MESH = 468
N_FACE68 = 68

# Face-contour vertices from the ear at eye level down to the chin (152), each side of the face.
JAW_CONTOUR_RIGHT: tuple[int, ...] = (127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152)
JAW_CONTOUR_LEFT: tuple[int, ...] = (356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152)

# Markup points 17..67: one mesh vertex, or a tuple of vertices whose mean is the point.
MESH_TO_FACE68: tuple[int | tuple[int, ...], ...] = (
    70, 63, 105, 66, 107,  # 17-21 right brow, upper edge, outer -> inner
    336, 296, 334, 293, 300,  # 22-26 left brow, upper edge, inner -> outer
    168, 197, 5, 1,  # 27-30 nose bridge: between the eyes, two bridge points, the tip
    98, 97, 2, 326, 327,  # 31-35 nose base: right wing, right nostril, base, left nostril, left wing
    33, 160, 158, 133, 153, 144,  # 36-41 right eye
    362, 385, 387, 263, 373, 380,  # 42-47 left eye
    61, 39, 37, 0, 267, 269, 291,  # 48-54 outer lips: right corner, upper lip, left corner
    321, (405, 314), 17, (84, 181), 91,  # 55-59 lower lip, left -> right
    78, 81, 13, 311, 308,  # 60-64 inner lips: right corner, upper inner lip, left corner
    402, 14, 178,  # 65-67 lower inner lip, left -> right
)


def _resample(polyline: np.ndarray, n: int) -> np.ndarray:
    """(K, 2) polyline -> (n, 2) points at equal arc-length steps, both ends included."""
    seg = np.linalg.norm(np.diff(polyline, axis=0), axis=1)  # (K-1,)
    s = np.concatenate([[0.0], np.cumsum(seg)])  # (K,) arc length at each vertex
    if s[-1] <= 0:
        return np.repeat(polyline[:1], n, axis=0)
    t = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(t, s, polyline[:, 0]), np.interp(t, s, polyline[:, 1])], axis=1)


def mesh_to_face68(mesh_xy: np.ndarray) -> np.ndarray:
    """(468, 2+) mesh vertices (x, y pixels; extra columns ignored) -> (68, 2) float64 iBUG landmarks."""
    mesh = np.asarray(mesh_xy, dtype=np.float64)
    if mesh.ndim != 2 or mesh.shape[0] != N_MESH or mesh.shape[1] < 2:
        raise PoseError(f"expected ({N_MESH}, 2) face-mesh vertices, got an array of shape {mesh.shape}")
    xy = mesh[:, :2]
    out = np.empty((N_FACE68, 2))
    out[0:9] = _resample(xy[list(JAW_CONTOUR_RIGHT)], 9)  # 0 (right ear level) .. 8 (chin)
    out[8:17] = _resample(xy[list(JAW_CONTOUR_LEFT)], 9)[::-1]  # 8 (chin) .. 16 (left ear level)
    for k, src in enumerate(MESH_TO_FACE68):
        out[17 + k] = xy[list(src)].mean(axis=0) if isinstance(src, tuple) else xy[src]
    return out


@dataclass(frozen=True, eq=False)
class FaceDetection:
    """One face found in one image."""

    landmarks: np.ndarray  # (68, 2) float64 x, y in the image's pixels, iBUG order (core.face.layout.FACE68)
    backend: str  # the detector's name
    mesh: np.ndarray | None = None  # (468, 3) x, y pixels and MediaPipe's relative depth (x scale), when known

    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) bounds of the 68 landmarks."""
        lo, hi = self.landmarks.min(axis=0), self.landmarks.max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def no_face(detail: str = "") -> NoFaceFound:
    return NoFaceFound("no face found in the image" + (f" ({detail})" if detail else ""))


class FaceMeshDetector(MediaPipeGraphDetector):
    """Single-face landmarks with MediaPipe FaceMesh (no iris refinement: that model is the bundled one)."""

    name = "mediapipe_face_mesh"

    def __init__(self, max_side: int = 1280, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        self.max_side = int(max_side)
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        super().__init__()

    def _build(self, static: bool):
        from mediapipe.python.solutions import face_mesh  # the package's __init__ does not declare it for checkers

        return face_mesh.FaceMesh(
            static_image_mode=static,
            max_num_faces=1,
            refine_landmarks=False,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        )

    def _not_found(self) -> NoFaceFound:
        return no_face()

    def _read(self, result, size_wh: tuple[int, int]) -> FaceDetection | None:
        faces = result.multi_face_landmarks
        if not faces:
            return None
        w, h = size_wh
        mesh = np.array([(p.x * w, p.y * h, p.z * w) for p in faces[0].landmark], dtype=np.float64)  # (468, 3)
        if mesh.shape[0] < N_MESH:
            return None
        mesh = mesh[:N_MESH]
        return FaceDetection(landmarks=mesh_to_face68(mesh), backend=self.name, mesh=mesh)


_shared: dict[str, FaceMeshDetector] = {}
_shared_lock = threading.Lock()


def get_face_detector() -> FaceMeshDetector:
    """The process-wide face detector, created on first use."""
    with _shared_lock:
        if "default" not in _shared:
            _shared["default"] = FaceMeshDetector()
        return _shared["default"]


def detect_face(image: np.ndarray) -> FaceDetection:
    """68 landmarks of the face in a photo; NoFaceFound when there is none."""
    return get_face_detector().detect(image)


def detect_face_sequence(
    frames: Iterable[np.ndarray],
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    detector: FaceMeshDetector | None = None,
) -> Iterator[FaceDetection | None]:
    """Track the face through video frames: one FaceDetection per frame, None where no face is seen.

    ``progress(done, total)`` after each frame (total -1 when ``frames`` has no length); ``cancel()``
    returning True stops with Cancelled.
    """
    det = detector or get_face_detector()
    total = len(frames) if hasattr(frames, "__len__") else -1  # type: ignore[arg-type]
    results = det.detect_frames(frames)
    try:
        for done, found in enumerate(results, start=1):
            if cancel is not None and cancel():
                raise Cancelled("face tracking cancelled")
            if progress is not None:
                progress(done, total)
            yield found
    finally:
        results.close()  # a generator: its graph is closed even when the caller stops early


def landmark_track(detections: Iterable[FaceDetection | None]) -> np.ndarray:
    """(T, 68, 2) landmarks with NaN rows for frames without a face; NoFaceFound if no frame has one."""
    rows = [np.full((N_FACE68, 2), np.nan) if d is None else d.landmarks for d in detections]
    if not rows or all(np.isnan(r).all() for r in rows):
        raise NoFaceFound("no face found in any frame of the video")
    return np.stack(rows)
