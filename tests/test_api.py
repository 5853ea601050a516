"""The public surface is small and guarded: __all__ lists exactly the public names."""

from __future__ import annotations

import quanheng


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(quanheng).items()
        if not name.startswith("_") and not isinstance(value, type(quanheng))
    }
    assert set(quanheng.__all__) == public


def test_all_is_sorted_and_unique() -> None:
    assert list(quanheng.__all__) == sorted(set(quanheng.__all__))


def test_errors_share_one_base() -> None:
    for name in ("InputError", "FrameworkError", "StudyError", "EvidenceError"):
        assert issubclass(getattr(quanheng, name), quanheng.QuanhengError)
