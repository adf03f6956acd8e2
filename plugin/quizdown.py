"""Hugo quizdown blocks (`{{< quizdown >}}` … `{{< /quizdown >}}`) as `quiz` questions.

Pure functions: :func:`parse` reads a block's content into question mappings in the shape
of the `quiz` block's YAML, :func:`to_yaml` writes them as a `quiz` body, and
:func:`convert_markdown` replaces every quizdown block of a page by a ```` ```quiz ````
fence. Quizdown rules (docs/reference/authoring.md, "quizdown"): a heading per question;
`- [x]` / `- [ ]` answers are checkboxes (several may be right), `1. [x]` / `1. [ ]` radio
buttons (exactly one); a `> ` block indented under an answer is its feedback, one before the
answers the hint, one after them the explanation; an ordered list without boxes is an
ordering question (`type: order`, its items in the right order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import did_you_mean
from .yaml12 import YamlError, load

OPTIONS = frozenset({"shuffle_answers", "shuffle_questions", "primary_color", "secondary_color",
                     "text_color", "locale",
                     # quizdown-js's own spelling (its docs use both)
                     "shuffleAnswers", "shuffleQuestions", "primaryColor", "secondaryColor",
                     "textColor", "nQuestions"})
"""quizdown-js options accepted in a `---` header at the top of a block or right under a
question's heading. mlpages neither shuffles nor samples questions and keeps the course's
colours; a block's `locale` is the language of its quiz's texts (plugin/i18n)."""

ERROR_KEY = "quizdown_error"
"""The key of the `quiz` body that stands for a quizdown block that could not be read."""

_OPEN = re.compile(r"^(?P<indent>[ \t]*)\{\{<\s*quizdown\s*>\}\}[ \t]*$")
_CLOSE = re.compile(r"^[ \t]*\{\{<\s*/quizdown\s*>\}\}[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")  # `### Q ###` too
_ITEM = re.compile(r"^(?P<indent>[ ]{0,3})(?P<marker>[-*+]|\d{1,9}[.)])[ \t]+"
                   r"(?:\[(?P<box>[ xX])\](?:[ \t]+|$))?(?P<text>.*)$")
_QUOTE = re.compile(r"^(?P<indent>[ \t]*)>[ ]?(?P<text>.*)$")
# Blocks whose content is indented under them: admonitions (`!!!`), details (`???`, `???+`)
# and content tabs (`=== "Tab"`).
_CONTAINER = re.compile(r"^[ ]{0,3}(?:!!!|\?\?\?\+?|===)[ \t]")


class QuizdownError(ValueError):
    """A block that is not quizdown; `line` is 0-based within the block's content."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Answer:
    box: str | None
    ordered: bool
    line: int
    text: list[str]
    feedback: list[str] = field(default_factory=list)


@dataclass
class _Question:
    number: int
    heading: str
    line: int
    stem: list[str] = field(default_factory=list)
    hint: list[str] = field(default_factory=list)
    answers: list[_Answer] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    phase: str = "stem"  # stem → list → after
    last: str = "stem"  # in the stem phase: what the last line went to (stem or hint)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").rstrip()


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
    cut = min(indents, default=0)
    return [ln[cut:] for ln in lines]


def _options(lines: list[str], first: int = 0) -> int:
    """Skip a `---` options header starting at or after line `first` (blank lines before it
    and inside it are allowed); returns the index of the first line after it, or `first`."""
    start = first
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or lines[start].strip() != "---":
        return first
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if text == "---":
            return i + 1
        if not text or text.startswith("#"):
            continue
        key = text.split(":", 1)[0].strip()
        if ":" not in text or key not in OPTIONS:
            raise QuizdownError(f"unknown quizdown option {key!r} in the '---' header"
                                f"{did_you_mean(key, OPTIONS)}; known: {', '.join(sorted(OPTIONS))}", i)
    raise QuizdownError("the '---' options header is not closed by a '---' line", start)


def parse(text: str) -> list[dict[str, Any]]:
    """The questions of a quizdown block's content, as `quiz` question mappings."""
    lines = text.expandtabs(4).split("\n")
    questions: list[_Question] = []
    q: _Question | None = None
    fence: str | None = None
    skip = _options(lines)  # lines before `skip` are a header already read
    for i in range(len(lines)):
        if i < skip:
            continue
        line = lines[i]
        if fence is not None:  # code inside a question's text
            assert q is not None
            q.stem.append(line)
            if re.match(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", line):
                fence = None
            continue
        heading = _HEADING.match(line)
        if heading:
            q = _Question(len(questions) + 1, heading.group("text"), i)
            questions.append(q)
            skip = _options(lines, i + 1)  # a question's own options, right under its heading
            continue
        if not line.strip():
            if q is not None:
                _blank(q)
            continue
        if q is None:
            raise QuizdownError("text before the first question: each question starts with a "
                                "'### ' heading", i)
        item, quote = _ITEM.match(line), _QUOTE.match(line)
        indent = len(line) - len(line.lstrip())
        where = f"question {q.number} ({q.heading!r})"
        if q.phase == "stem":
            if item:
                q.phase = "list"
            elif quote:
                q.hint.append(quote.group("text"))
                q.last = "hint"
                continue
            else:
                q.stem.append(line)
                q.last = "stem"
                opener = _FENCE.match(line)
                if opener:
                    fence = opener.group("fence")
                continue
        if q.phase == "list":
            if item:
                ordered = item.group("marker")[0].isdigit()
                q.answers.append(_Answer(item.group("box"), ordered, i, [item.group("text").strip()]))
                continue
            answer = q.answers[-1]
            if indent >= 2 and quote:
                answer.feedback.append(quote.group("text"))
                continue
            if indent >= 2:
                if answer.feedback:
                    raise QuizdownError(f"{where}: text after an answer's feedback", i)
                answer.text.append(line.strip())
                continue
            if quote:
                q.phase = "after"
            else:
                raise QuizdownError(f"{where}: after the answers only a '> ' block (the explanation) "
                                    "may follow", i)
        if q.phase == "after":
            if not quote:
                raise QuizdownError(f"{where}: after the explanation only the next question's "
                                    "heading may follow", i)
            q.explanation.append(quote.group("text"))
    if fence is not None:
        raise QuizdownError(f"a code block opened with {fence} is not closed", len(lines) - 1)
    return [_question(q) for q in questions]


def _blank(q: _Question) -> None:
    """A blank line: a paragraph break inside whatever is being read."""
    if q.phase == "stem":
        (q.hint if q.last == "hint" else q.stem).append("")
    elif q.phase == "after":
        q.explanation.append("")
    elif q.answers and q.answers[-1].feedback:
        q.answers[-1].feedback.append("")


def _question(q: _Question) -> dict[str, Any]:
    where = f"question {q.number} ({q.heading!r})"
    text = q.heading
    stem = _join(_dedent(q.stem))
    if stem:
        text = f"{text}\n\n{stem}" if text else stem
    out: dict[str, Any] = {"question": text}
    if not q.answers:
        raise QuizdownError(f"{where} has no answers ('1. [x] …' for one right answer, "
                            "'- [x] …' for several)", q.line)
    kinds = {a.ordered for a in q.answers}
    boxed = {a.box is not None for a in q.answers}
    if len(kinds) > 1:
        first = next(a for a in q.answers if a.ordered != q.answers[0].ordered)
        raise QuizdownError(f"{where} mixes '- ' and '1. ' answers: use '- [ ]' for checkboxes "
                            "or '1. [ ]' for radio buttons, not both", first.line)
    if len(boxed) > 1:
        first = next(a for a in q.answers if (a.box is None) != (q.answers[0].box is None))
        raise QuizdownError(f"{where}: some answers have a box ([x] or [ ]) and some do not", first.line)
    if boxed == {False}:
        if kinds != {True}:
            raise QuizdownError(f"{where}: answers need a box, '- [x] …' (right) or '- [ ] …' (wrong)",
                                q.answers[0].line)
        for a in q.answers:
            if a.feedback:
                raise QuizdownError(f"{where}: the items of an ordering question have no feedback",
                                    a.line)
        out["type"] = "order"
    elif kinds == {False}:
        out["multiple"] = True
    hint = _join(q.hint)
    if hint:
        out["hint"] = hint
    answers: list[Any] = []
    for a in q.answers:
        answer_text = " ".join(a.text).strip()
        if out.get("type") == "order":
            answers.append(answer_text)
            continue
        answer: dict[str, Any] = {"text": answer_text, "correct": a.box in ("x", "X")}
        feedback = _join(a.feedback)
        if feedback:
            answer["feedback"] = feedback
        answers.append(answer)
    out["answers"] = answers
    explanation = _join(q.explanation)
    if explanation:
        out["explanation"] = explanation
    return out


# YAML ------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    try:
        plain = load(value) == value
    except (YamlError, ValueError):
        plain = False
    # YAML 1.2 (mlpages) and 1.1 (PyYAML) differ on words like 1e3 and on: keep them text.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_Dumper.add_representer(str, _represent_str)


def to_yaml(questions: list[dict[str, Any]], locale: str | None = None) -> str:
    """A `quiz` block body (`questions:` list, and the block's `locale`) holding `questions`;
    no trailing newline."""
    body: dict[str, Any] = {"locale": locale} if locale else {}
    body["questions"] = questions
    return yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1_000_000).rstrip("\n")


def header_locale(text: str) -> str | None:
    """The `locale` of a block's top `---` header (quizdown-js: the language of its texts)."""
    lines = text.expandtabs(4).split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or lines[start].strip() != "---":
        return None
    for line in lines[start + 1:]:
        if line.strip() == "---":
            return None
        key, _, value = line.partition(":")
        if key.strip() == "locale" and value.strip():
            return value.strip().strip("'\"")
    return None


# Pages -----------------------------------------------------------------------------------


@dataclass
class Block:
    """One quizdown block of a page: lines `start` (the opening) to `end` (the closing), 0-based."""

    start: int
    end: int
    indent: str
    content: str


def find_blocks(text: str) -> list[Block]:
    """The quizdown blocks of a Markdown text, outside fenced and indented code and HTML
    comments: what Markdown shows as an example, or hides, stays as it is."""
    if "quizdown" not in text:  # every block opens with it (_OPEN)
        return []
    lines = text.split("\n")
    blocks: list[Block] = []
    fence: str | None = None
    comment = False
    code = _indented_code(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if fence is not None:
            if re.match(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", line):
                fence = None
            i += 1
            continue
        if comment or (line.lstrip().startswith("<!--") and i not in code):
            # A line that starts with `<!--` opens a comment that hides everything up to `-->`.
            tail = line if comment else line.lstrip()[4:]
            comment = "-->" not in tail
            i += 1
            continue
        if i in code:
            i += 1
            continue
        opener = _OPEN.match(line)
        if opener:
            end = next((j for j in range(i + 1, len(lines)) if _CLOSE.match(lines[j])), None)
            if end is not None:
                indent = opener.group("indent")
                content = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip()
                           for ln in lines[i + 1:end]]
                blocks.append(Block(i, end, indent, "\n".join(content)))
                i = end + 1
                continue
        fenced = _FENCE.match(line)
        if fenced:
            fence = fenced.group("fence")
        i += 1
    return blocks


def _indented_code(lines: list[str]) -> set[int]:
    """The indices of lines in indented code blocks: a run of lines indented by four or more
    columns after a blank line, unless the line above the blank opens a list item or a
    container whose content is indented (an admonition, a details block, a content tab)."""
    code: set[int] = set()
    container = in_code = False
    blank = True  # the start of the text counts as after a blank line
    for i, line in enumerate(lines):
        if not line.strip():
            blank = True
            continue
        expanded = line.expandtabs(4)
        if len(expanded) - len(expanded.lstrip()) >= 4:
            in_code = in_code or (blank and not container)
            if in_code:
                code.add(i)
        else:
            in_code = False
            container = bool(_ITEM.match(line) or _CONTAINER.match(line))
        blank = False
    return code


def fence_body(content: str) -> tuple[str, int]:
    """The `quiz` body for a block's content and the line (0 = the opening) its errors point at."""
    try:
        return to_yaml(parse(content), header_locale(content)), 0
    except QuizdownError as exc:
        return yaml.dump({ERROR_KEY: exc.message}, Dumper=_Dumper, width=1_000_000).rstrip("\n"), exc.line + 1


def fence(body: str, indent: str = "") -> list[str]:
    """A ```` ```quiz ```` fence around `body`, longer than any backtick run inside it."""
    ticks = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return [indent + ln if ln else ln for ln in [f"{ticks}quiz", *body.split("\n"), ticks]]


def convert_markdown(text: str) -> str:
    """`text` with every quizdown block replaced by a `quiz` fence (unreadable ones by an error fence)."""
    lines = text.split("\n")
    for block in reversed(find_blocks(text)):
        lines[block.start:block.end + 1] = fence(fence_body(block.content)[0], block.indent)
    return "\n".join(lines)
