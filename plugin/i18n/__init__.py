"""Messages a reader sees, in the course's language.

Every text mlpages renders into a page (plugin/blocks/*, render.py, inline.py, variants.py)
or that the browser runtime shows (runtime/*.js) comes from a catalogue
`plugin/i18n/<lang>.json`, keyed by message id. A catalogue has two sections: `build`
(texts the build writes into the HTML) and `runtime` (texts the runtime shows; the build
writes the ones a page needs into its `#mlpages-messages` script). A message is a text with
`{name}` placeholders, or, where a count appears, an object of CLDR plural forms (`one`,
`few`, `many`, `other`) chosen by the `count` placeholder.

Build errors (`file:line: ...`) are for authors and CI and stay English.
"""

from __future__ import annotations

import json
import logging
import math
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import LOGGER_NAME

CATALOGUES = Path(__file__).resolve().parent
DEFAULT = "en"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECTIONS = ("build", "runtime")
# Languages whose decimal separator is a comma (as Intl.NumberFormat formats them).
_COMMA_DECIMAL = {"de", "fr", "es", "pt", "it", "ru"}
# How the language groups the thousands of a large count in prose (40,000 points).
_GROUP = {"de": ".", "es": ".", "it": ".", "pt": ".", "fr": "\u202f", "ru": "\u00a0"}
log = logging.getLogger(LOGGER_NAME)

Message = str | dict[str, str]


def languages() -> list[str]:
    """The languages mlpages ships a catalogue for."""
    return sorted(p.stem for p in CATALOGUES.glob("*.json"))


@cache
def catalogue(language: str) -> dict[str, dict[str, Message]]:
    """The shipped catalogue of `language` (sections `build` and `runtime`)."""
    data = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    return {section: dict(data[section]) for section in SECTIONS}


def plural_category(language: str, count: float) -> str:
    """The CLDR plural category of `count` in `language` (integers; fractions are `other`)."""
    if not float(count).is_integer():
        return "other"
    n = abs(int(count))
    if language in ("ja", "zh"):
        return "other"
    if language in ("fr", "pt"):
        return "one" if n in (0, 1) else "other"
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


def plural_forms(language: str) -> set[str]:
    """The plural categories a message of `language` must give."""
    if language in ("ja", "zh"):
        return {"other"}
    if language == "ru":
        return {"one", "few", "many", "other"}
    return {"one", "other"}


def placeholders(message: Message) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def base_language(value: Any) -> str:
    """`de_DE`, `de-AT`, `DE` → `de`; `zh-Hans`/`zh_CN` → `zh`; pt-BR → `pt`."""
    text = str(value or "").strip().replace("_", "-").lower()
    return text.split("-")[0]


@dataclass
class Messages:
    """The messages of one language, with a course's overrides on top."""

    language: str = DEFAULT
    overrides: dict[str, Message] = field(default_factory=dict)

    def __post_init__(self) -> None:
        english = catalogue(DEFAULT)
        own = catalogue(self.language) if self.language in languages() else english
        self.sections: dict[str, dict[str, Message]] = {}
        for section in SECTIONS:
            merged = dict(english[section])
            merged.update(own[section])
            for key, value in self.overrides.items():
                if key in merged:
                    merged[key] = value
            self.sections[section] = merged

    def message(self, key: str) -> Message:
        for section in SECTIONS:
            if key in self.sections[section]:
                return self.sections[section][key]
        raise KeyError(f"mlpages: no message {key!r} in the catalogue")

    def t(self, key: str, **params: Any) -> str:
        """The message `key` with its placeholders filled (numbers formatted for the language)."""
        message = self.message(key)
        if isinstance(message, dict):
            category = plural_category(self.language, float(params.get("count", 0)))
            message = message.get(category) or message["other"]
        return PLACEHOLDER.sub(lambda m: self._param(params.get(m.group(1), m.group(0))), message)

    def html(self, key: str, **params: Any) -> str:
        """The message `key` as HTML: its text escaped, its placeholders filled with `params`
        as they are (HTML the caller made safe: `<code>…</code>`, escaped names)."""
        from ..html import esc

        message = self.message(key)
        if isinstance(message, dict):
            category = plural_category(self.language, float(params.get("count", 0)))
            message = message.get(category) or message["other"]
        return PLACEHOLDER.sub(lambda m: self._param(params.get(m.group(1), m.group(0))), esc(message))

    def _param(self, value: Any) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            if abs(value) < 10_000:  # 2026, 1600: four digits read best ungrouped
                return str(value)
            return f"{value:,}".replace(",", _GROUP.get(self.language, ","))
        if isinstance(value, float):
            return self.number(value)
        return str(value)

    @property
    def decimal(self) -> str:
        return "," if self.language in _COMMA_DECIMAL else "."

    def number(self, value: Any, digits: int = 6) -> str:
        """A number as prose shows it: `fmt`'s digits, the language's decimal separator."""
        from ..html import fmt

        text = fmt(value, digits)
        try:
            finite = math.isfinite(float(value))
        except (TypeError, ValueError):
            finite = False
        if not finite or self.decimal == ".":
            return text
        return text.replace(".", self.decimal)

    def numbers(self, values: Any, digits: int = 6) -> str:
        """Several numbers, separated as the language lists numbers."""
        return self.t("list_separator").join(self.number(v, digits) for v in values)

    def runtime(self) -> dict[str, Message]:
        """The messages the browser runtime shows (written into each page)."""
        return dict(self.sections["runtime"])


def load_overrides(messages: Any, root: Path) -> dict[str, Any]:
    """The plugin's `messages:` option with each language given as a file path (YAML or JSON,
    relative to `root`, the folder of mkdocs.yml) read."""
    import yaml

    if not isinstance(messages, dict):
        raise ValueError("messages: give a mapping of languages to {message id: text} or a file")
    out: dict[str, Any] = {}
    for lang, table in messages.items():
        if isinstance(table, str):
            path = (root / table).resolve()
            try:
                table = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise ValueError(f"messages: {lang}: cannot read {table}: {exc}") from None
        out[str(lang)] = table
    return out


def check_overrides(messages: Any) -> dict[str, dict[str, Message]]:
    """The plugin's `messages:` option: {lang: {id: text}}; unknown ids are an error."""
    if messages in (None, {}):
        return {}
    if not isinstance(messages, dict):
        raise ValueError("messages: give a mapping of languages to {message id: text}")
    known = {key for section in catalogue(DEFAULT).values() for key in section}
    out: dict[str, dict[str, Message]] = {}
    for lang, table in messages.items():
        if not isinstance(table, dict):
            raise ValueError(f"messages: {lang}: give a mapping of message ids to texts")
        for key, value in table.items():
            if key not in known:
                raise ValueError(f"messages: {lang}: no message {key!r} (see plugin/i18n/en.json)")
            english = catalogue(DEFAULT)["build" if key in catalogue(DEFAULT)["build"] else "runtime"][key]
            if not isinstance(value, (str, dict)):
                raise ValueError(f"messages: {lang}: {key}: give a text")
            if placeholders(value) - placeholders(english):
                raise ValueError(f"messages: {lang}: {key}: placeholders "
                                 f"{sorted(placeholders(value) - placeholders(english))} are not "
                                 f"the message's ({sorted(placeholders(english))})")
        out[base_language(lang)] = dict(table)
    return out


def resolve(language: Any, overrides: dict[str, dict[str, Message]] | None = None,
            *, where: str = "") -> Messages:
    """The Messages for `language` (a theme's `language`/`locale`, the plugin's `language:`,
    a quiz's `locale`); an unknown one falls back to English with an INFO message."""
    lang = base_language(language) or DEFAULT
    chosen = lang
    if lang not in languages() and lang not in (overrides or {}):
        if lang not in _told:
            _told.add(lang)
            log.info(f"mlpages: no messages for language {language!r}{where}; pages show English "
                     f"(available: {', '.join(languages())}; add one with the plugin's messages: option)")
        chosen = DEFAULT
    merged = dict((overrides or {}).get(chosen, {}))
    return _cached(chosen, json.dumps(merged, sort_keys=True))


_told: set[str] = set()


@cache
def _cached(language: str, overrides: str) -> Messages:
    return Messages(language, json.loads(overrides))


_current: ContextVar[Messages | None] = ContextVar("mlpages_messages", default=None)
_course: ContextVar[dict[str, dict[str, Message]] | None] = ContextVar("mlpages_course_messages",
                                                                       default=None)


def current() -> Messages:
    """The messages of the page being converted (English outside a conversion)."""
    found = _current.get()
    return found if found is not None else resolve(DEFAULT)


def set_current(messages: Messages, overrides: dict[str, dict[str, Message]] | None = None) -> None:
    """The messages of the page about to be converted, and the course's overrides of every
    language (for a quiz's own `locale`)."""
    _current.set(messages)
    _course.set(overrides or {})


def for_language(language: Any, *, where: str = "") -> Messages:
    """The messages of another language than the page's, with the course's overrides."""
    return resolve(language, _course.get() or {}, where=where)


def page_script(languages: dict[str, Messages], default: str) -> str:
    """The `#mlpages-messages` script of a page: the runtime messages of its language (and of
    any quiz `locale` on it)."""
    from ..html import NO_SEARCH, json_script

    data = {"default": default, "languages": {lang: m.runtime() for lang, m in sorted(languages.items())}}
    # In a <div> with the id: Material's instant navigation re-creates scripts without their
    # attributes. The script's JSON is a one-element array (html.json_script).
    script = json_script(data, css_class="mlpages-messages")
    return f'<div id="mlpages-messages" hidden {NO_SEARCH}>{script}</div>'
