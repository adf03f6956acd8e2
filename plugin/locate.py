"""Find the Markdown line of a fenced block from its body.

Superfences tells a fence formatter neither the file nor the line, so the page source
is scanned for fences of mlpages' kinds. A fence shown inside a longer outer fence
(a ````markdown example) is literal text and never matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import quizdown

_FENCE = re.compile(
    r"^(?P<prefix>(?:[ \t]*>)*)(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*"
    r"\{?[ \t]*\.?(?P<lang>[\w+-]*)"
)


@dataclass
class FenceSite:
    """One fenced block of an mlpages kind in the page source."""

    kind: str
    line: int  # 1-based line of the opening fence
    body: str  # dedented, stripped body
    claimed: bool = False
    exact: bool = True  # the body is the file's text (False: a quiz generated from a quizdown block)


@dataclass
class FenceIndex:
    """The mlpages fences of one page, matched to formatter calls by body."""

    sites: list[FenceSite] = field(default_factory=list)

    @classmethod
    def scan(cls, text: str, kinds: set[str], first_line: int = 1) -> FenceIndex:
        """Index the fences of `kinds` in `text`, whose first line is `first_line` of the file."""
        lines = text.split("\n")
        sites: list[FenceSite] = []
        i = 0
        while i < len(lines):
            m = _FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            fence, lang = m.group("fence"), m.group("lang")
            prefix, indent = m.group("prefix"), m.group("indent")
            closer = re.compile(
                r"^(?:[ \t]*>)*[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
            )
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not closer.match(lines[j]):
                body.append(_strip_prefix(lines[j], prefix, len(indent)))
                j += 1
            if lang in kinds:
                sites.append(FenceSite(lang, i + first_line, "\n".join(body).strip()))
            # Whatever the language, the fence's content is never scanned for inner fences.
            i = j + 1
        if "quiz" in kinds:  # quizdown blocks become quiz fences whose body is not in the file
            for block in quizdown.find_blocks(text):
                quiz_body, offset = quizdown.fence_body(block.content)
                sites.append(FenceSite("quiz", block.start + first_line + offset, quiz_body.strip(),
                                       exact=False))
            sites.sort(key=lambda site: site.line)
        return cls(sites)

    def claim(self, kind: str, src: str) -> int | None:
        """The line of the first unclaimed fence of `kind` whose body is `src`."""
        site = self.claim_site(kind, src)
        return site.line if site is not None else None

    def claim_site(self, kind: str, src: str) -> FenceSite | None:
        """The first unclaimed fence of `kind` whose body is `src`."""
        body = src.strip()
        for site in self.sites:
            if not site.claimed and site.kind == kind and _same(site.body, body):
                site.claimed = True
                return site
        for site in self.sites:  # a block formatted twice (superfences may re-run)
            if site.kind == kind and _same(site.body, body):
                return site
        return None


def _same(a: str, b: str) -> bool:
    return [ln.strip() for ln in a.splitlines()] == [ln.strip() for ln in b.splitlines()]


def _strip_prefix(line: str, prefix: str, indent: int) -> str:
    if prefix:
        line = re.sub(r"^(?:[ \t]*>){1," + str(prefix.count(">")) + r"} ?", "", line)
    return line[indent:] if line[:indent].strip() == "" else line.lstrip()
