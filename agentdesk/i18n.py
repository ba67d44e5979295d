"""Bilingual text for the Qt-free packages.

Qt's translation system (``tr()``, .ts/.qm) serves the UI. The core packages (checks, availability,
support_scripts, ...) must not import Qt, yet their results carry messages that agents read, in Japanese first
and English second. They return :class:`Text`, which carries both; the UI or the CLI picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")
DEFAULT_LANGUAGE: Language = "ja"


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Japanese and English. Format with :meth:`format` (str.format on both)."""

    ja: str
    en: str

    def pick(self, language: str = DEFAULT_LANGUAGE) -> str:
        return self.en if language == "en" else self.ja

    def format(self, **values: object) -> Text:
        """str.format on both; a value that is itself a Text gives its Japanese to ``ja`` and English to ``en``."""
        ja = {k: v.ja if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(ja=self.ja.format(**ja), en=self.en.format(**en))

    def as_dict(self) -> dict[str, str]:
        return {"ja": self.ja, "en": self.en}

    def __str__(self) -> str:
        return self.ja
