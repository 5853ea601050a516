"""Components built by name from a frozen spec: scorers, prompt templates.

A suite file names its scorer and template (``name`` + ``args``); each kind keeps a
:class:`Registry` of factories, filled by a decorator where each component is defined, so a new
one is a function and one line, and a result records the spec that reproduces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from quanheng.errors import MeasureInputError

__all__ = ["Registry", "Spec"]

T = TypeVar("T")


class Spec(Protocol):
    """What a registry builds from: a component's name and its keyword arguments."""

    @property
    def name(self) -> str: ...

    @property
    def args(self) -> Mapping[str, Any]: ...


class Registry(Generic[T]):
    """Factories of one kind of component by name.

    Args:
        kind: the component's name in messages (``scorer``, ``template``).
        bad_args: exceptions a factory raises for arguments it cannot use; they become one
            :class:`MeasureInputError` line, like an unknown name.
    """

    def __init__(self, kind: str, bad_args: tuple[type[Exception], ...] = (TypeError,)) -> None:
        self.kind = kind
        self.bad_args = bad_args
        self.factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Register a factory under ``name``; it takes ``spec`` and its args as keywords."""

        def deco(fn: Callable[..., T]) -> Callable[..., T]:
            self.factories[name] = fn
            return fn

        return deco

    def build(self, spec: Spec) -> T:
        """The component a spec names; unknown names or bad args raise MeasureInputError."""
        factory = self.factories.get(spec.name)
        where = f"<{self.kind}>"
        if factory is None:
            raise MeasureInputError.single(
                where,
                None,
                f"unknown {self.kind} {spec.name!r}",
                f"use one of {', '.join(sorted(self.factories))}",
            )
        try:
            return factory(spec=spec, **spec.args)
        except self.bad_args as exc:
            raise MeasureInputError.single(
                where, None, f"{self.kind} {spec.name!r}: {exc}", f"fix the {self.kind} args"
            ) from None
