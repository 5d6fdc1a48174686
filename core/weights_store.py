"""The local weights folder: imported checkpoints as safetensors under ``<root>/<kind>/`` and a manifest of them."""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.atomic import atomic_path, write_text_atomic
from core.errors import CheckpointError
from core.gfla.checkpoint import SAFETENSORS_KIND_KEY, load_model, sha256_file, state_dict_for_saving
from core.safe_json import loads_limited, read_limited
from core.tensor_checks import require_finite

ENV_VAR = "GFLA_WEIGHTS_DIR"
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 16 * 2**20  # about 40,000 entries
_REPO_ROOT = Path(__file__).resolve().parents[1]


class ManifestEntry(BaseModel):
    """One imported checkpoint. ``file`` is relative to the weights root (posix separators)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: str
    file: str
    sha256: str
    original_name: str
    imported: str  # ISO date-time of the import

    def path(self, root: str | os.PathLike | None = None) -> Path:
        """Absolute path of the safetensors file."""
        return weights_root(root) / self.file

    def exists(self, root: str | os.PathLike | None = None) -> bool:
        return self.path(root).is_file()


class Manifest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = MANIFEST_VERSION
    entries: list[ManifestEntry] = []
    notice: str | None = Field(default=None, exclude=True)  # set when read_manifest rebuilt a damaged manifest


def weights_root(root: str | os.PathLike | None = None) -> Path:
    """``root`` if given, else $GFLA_WEIGHTS_DIR, else the repository's ``weights/`` folder."""
    if root is not None:
        return Path(root)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else _REPO_ROOT / "weights"


def read_manifest(root: str | os.PathLike | None = None) -> Manifest:
    """The manifest; a damaged one is moved aside and rebuilt from the files on disk (``notice`` says so)."""
    path = weights_root(root) / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        raw = loads_limited(read_limited(path, str(path), CheckpointError, MAX_MANIFEST_BYTES), str(path), CheckpointError)
        return Manifest.model_validate(raw)
    except (CheckpointError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
    return rebuild_manifest(root, reason=first)


def rebuild_manifest(root: str | os.PathLike | None = None, reason: str = "") -> Manifest:
    """Keep the damaged manifest as ``manifest.json.damaged-<time>`` and write one listing every safetensors file
    under ``<root>/<kind>/`` (kind from the file's metadata, else its folder); hashes are recomputed."""
    from safetensors import SafetensorError, safe_open

    folder = weights_root(root)
    path = folder / MANIFEST
    kept = folder / f"{MANIFEST}.damaged-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    try:
        os.replace(path, kept)
    except OSError as exc:
        raise CheckpointError(f"the weights manifest {path} is damaged and cannot be moved aside: {exc.strerror}") from exc
    manifest = Manifest()
    for file in sorted(folder.glob("*/*.safetensors")):
        try:
            with safe_open(str(file), "pt") as fh:
                kind = (fh.metadata() or {}).get(SAFETENSORS_KIND_KEY, file.parent.name)
        except (SafetensorError, OSError, ValueError):
            continue  # not a readable safetensors file: `weights import` it again
        stamp = _dt.datetime.fromtimestamp(file.stat().st_mtime).astimezone().isoformat(timespec="seconds")
        manifest.entries.append(ManifestEntry(kind=kind, file=file.relative_to(folder).as_posix(),
                                              sha256=sha256_file(file), original_name=file.name, imported=stamp))
    write_manifest(manifest, root)
    manifest.notice = (f"the weights manifest was damaged ({reason}); kept it as {kept.name} and rebuilt it "
                       f"from the {len(manifest.entries)} files in {folder}")
    return manifest


def write_manifest(manifest: Manifest, root: str | os.PathLike | None = None) -> None:
    folder = weights_root(root)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / MANIFEST, manifest.model_dump_json(indent=2) + "\n")


def find_weights(kind: str | None = None, root: str | os.PathLike | None = None) -> list[ManifestEntry]:
    """Manifest entries (of ``kind`` if given) whose file is present, newest import first."""
    entries = [e for e in read_manifest(root).entries if (kind is None or e.kind == kind) and e.exists(root)]
    return sorted(entries, key=lambda e: e.imported, reverse=True)


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem).strip("._") or "weights"
    return stem[:80]


def import_checkpoint(
    path: str | os.PathLike,
    kind: str | None = None,
    name: str | None = None,
    root: str | os.PathLike | None = None,
) -> ManifestEntry:
    """Strictly load ``path``, store it as ``<root>/<kind>/<name>.safetensors`` and record it in the manifest.

    Importing the same weights twice returns the existing entry.
    """
    from safetensors.torch import save_file

    src = Path(path)
    loaded = load_model(src, kind=kind)  # strict: raises CheckpointError naming every mismatch
    tensors = state_dict_for_saving(loaded.model)
    require_finite(tensors, str(src))  # NaN/Inf weights render garbage: refused before anything is written
    folder = weights_root(root)
    kind_dir = folder / loaded.kind
    kind_dir.mkdir(parents=True, exist_ok=True)
    metadata = {SAFETENSORS_KIND_KEY: loaded.kind}  # one entry: safetensors orders several at random

    manifest = read_manifest(root)
    taken = {e.file for e in manifest.entries}
    stem = _safe_stem(name or src.name)
    target, counter = kind_dir / f"{stem}.safetensors", 2
    while target.exists() or target.relative_to(folder).as_posix() in taken:
        target, counter = kind_dir / f"{stem}-{counter}.safetensors", counter + 1
    with atomic_path(target) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)
    digest = sha256_file(target)
    for entry in manifest.entries:
        if entry.sha256 == digest and entry.kind == loaded.kind and entry.exists(root):
            target.unlink()  # the same weights were imported before
            return entry

    entry = ManifestEntry(
        kind=loaded.kind,
        file=target.relative_to(folder).as_posix(),
        sha256=digest,
        original_name=src.name,
        imported=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    manifest.entries = [e for e in manifest.entries if e.file != entry.file] + [entry]
    write_manifest(manifest, root)
    return entry


@dataclass
class VerifyResult:
    entry: ManifestEntry
    ok: bool
    reason: str


def verify_entry(entry: ManifestEntry, root: str | os.PathLike | None = None) -> VerifyResult:
    """Re-hash the file and load it strictly with the recorded kind."""
    path = entry.path(root)
    if not path.is_file():
        return VerifyResult(entry, False, "file missing")
    if sha256_file(path) != entry.sha256:
        return VerifyResult(entry, False, "sha256 differs from the manifest (file changed or corrupt)")
    try:
        require_finite(state_dict_for_saving(load_model(path, kind=entry.kind).model), str(path))
    except CheckpointError as exc:
        return VerifyResult(entry, False, str(exc).splitlines()[0])
    return VerifyResult(entry, True, "ok")


def verify_all(root: str | os.PathLike | None = None) -> list[VerifyResult]:
    return [verify_entry(e, root) for e in read_manifest(root).entries]
