"""The shape every rule's problem takes: a stable code, where, JSON-serialisable params, a bilingual message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Problem:
    """One violation: stable snake_case `code`, where it is, JSON-serialisable `params`, bilingual message."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    TEMPLATES: ClassVar[dict[str, dict[str, str]]] = {}

    def message(self, locale: str = "en") -> str:
        """The problem rendered in English ("en") or Simplified Chinese ("zh…")."""
        lang = "zh_CN" if str(locale).startswith("zh") else "en"
        return self.TEMPLATES[self.code][lang].format(where=self.where, **self.params)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: code, where, params and the English message."""
        return {"code": self.code, "where": self.where, "params": self.params, "message": self.message("en")}
