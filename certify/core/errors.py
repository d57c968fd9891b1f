"""Refusals: operations raise `Refused` with a stable code, the field at fault and its numbers; pages translate it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

_MESSAGES: dict[str, Any] = {}


def register_messages(messages: Mapping[str, Any]) -> None:
    """Add translatable message templates (lazy_gettext strings with %(name)s placeholders) for problem codes."""
    duplicate = set(messages) & set(_MESSAGES)
    if duplicate:
        raise ValueError(f"message codes registered twice: {sorted(duplicate)}")
    _MESSAGES.update(messages)


def registered_codes() -> frozenset[str]:
    """Every code with a message (the tests check each renders in both languages)."""
    return frozenset(_MESSAGES)


def describe(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The user's-language message for a problem code; unknown codes fall back to the code itself."""
    template = _MESSAGES.get(code)
    if template is None:
        return code
    text = str(template)
    try:
        return text % dict(params or {}) if params else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (field/row) and why (code + params)."""

    code: str
    field: str | None = None
    params: dict = dataclass_field(default_factory=dict)

    def message(self) -> str:
        return describe(self.code, self.params)


class Refused(Exception):
    """An operation refused its input; nothing was changed. Carries every problem found."""

    def __init__(self, code_or_problems: str | Iterable[Problem], field: str | None = None, **params: Any):
        if isinstance(code_or_problems, str):
            self.problems: tuple[Problem, ...] = (Problem(code_or_problems, field, params),)
        else:
            self.problems = tuple(code_or_problems)
        super().__init__("; ".join(p.code for p in self.problems))

    def messages(self) -> list[str]:
        return [p.message() for p in self.problems]

    def by_field(self) -> dict[str | None, list[str]]:
        out: dict[str | None, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.field, []).append(p.message())
        return out
