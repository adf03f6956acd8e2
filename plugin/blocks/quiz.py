"""The `quiz` block: questions with answers, readable without JavaScript, graded by runtime/quiz.js.

A quiz is not an ML cell: its element carries `data-mlpages-quiz`, never `data-mlpages-kind`
(docs/reference/page-contract.md, "Quizzes").
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Any

from ..contract import spec_header
from ..errors import BlockError, KeyPath, did_you_mean
from ..files import OutsideError, inside
from ..html import NO_SEARCH, esc, fmt, json_script
from ..i18n import Messages, current, for_language
from ..page import EPSILONS, PageState, id_part
from ..quizdown import ERROR_KEY
from ..text import TextRenderer, is_inline
from ..yaml12 import YamlError, load
from .bound import BOUND_KEYS, bound_value
from .common import check_keys, is_file

KIND = "quiz"
QUESTION_KEYS = ["id", "question", "type", "answers", "multiple", "hint", "explanation",
                 "answer_from", "tolerance"]
ORDER = "order"  # `type: order`: answers listed in the right order
# A numeric question: `answer_from` a train, predict, convolution or tfjs cell above the quiz.
NUMBER = "number"
# The reader types a rounded number (0.693 for 0.69314718…): 1% relative slack accepts three
# significant digits, and the absolute part lets a value near zero (a loss of 2e-5) be typed as 0.
DEFAULT_TOLERANCE = {"rtol": 1e-2, "atol": 1e-4}
ANSWER_KEYS = ["text", "correct", "feedback"]
BANK_DIR = "quizzes"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class Answer:
    text: str
    correct: bool
    feedback: str | None


@dataclass
class Question:
    id: str
    question: str
    answers: list[Answer]
    multiple: bool
    hint: str | None
    explanation: str | None
    order: bool = False  # an ordering question: `answers` in the right order
    number: dict[str, Any] | None = None  # a numeric question: its `from`, references, tolerance


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    """Parse the block (inline questions or a bank include), then render it."""
    if ERROR_KEY in data:  # a quizdown block that could not be read (plugin/quizdown.py)
        raise BlockError(f"quizdown: {data[ERROR_KEY]}")
    messages = current()
    if "locale" in data:
        if not isinstance(data["locale"], str) or not data["locale"].strip():
            raise BlockError("'locale' must be a language code such as de or pt-BR", key="locale")
        messages = for_language(data["locale"], where=f" (quiz '{name}' of {page.path})")
        page.languages.add(messages.language)
    data = {k: v for k, v in data.items() if k != "locale"}
    if "include" in data:
        check_keys(data, ["name", "include", "questions"])
        questions = _from_bank(data, page)
    elif "questions" in data:
        check_keys(data, ["name", "questions"])
        raw = data["questions"]
        if not isinstance(raw, list) or not raw:
            raise BlockError("'questions' must be a non-empty list of questions "
                             "(each a mapping with 'question' and 'answers')", key="questions")
        questions = [_question(q, f"question {i + 1}", ("questions", i), f"{name}-{i + 1}", page)
                     for i, q in enumerate(raw)]
    elif "question" in data:
        check_keys(data, ["name", *QUESTION_KEYS])
        questions = [_question({k: v for k, v in data.items() if k != "name"}, "", (), f"{name}-1",
                               page)]
    else:
        raise BlockError("a quiz needs 'question' (one question), 'questions' (a list) "
                         f"or 'include' ({BANK_DIR}/<bank>.yml)")
    if "include" in data:
        keys: list[Any] = ["questions" if "questions" in data else "include"] * len(questions)
    elif "questions" in data:
        keys = [("questions", i, "id") for i in range(len(questions))]
    else:
        keys = ["id"]
    _claim_ids(questions, page, name, keys)
    key = "questions" if "questions" in data else "id"
    page.claim_element_ids(_element_ids(page.cell_id(name), name, questions), key=key)
    page.quiz_count += 1
    spec = {
        **spec_header(KIND, name, page.cell_id(name)), "page": page.slug,
        "questions": [_question_spec(q, page.text) for q in questions],
    }
    if messages is not current():
        spec["locale"] = messages.language
    return spec, render(spec, questions, page.text, messages)


def element(spec: dict[str, Any], body: str) -> str:
    """The quiz element: its spec script, then the questions."""
    locale = esc(spec.get("locale", ""))
    lang = f' lang="{locale}" data-mlpages-lang="{locale}"' if locale else ""
    return (
        f'<div class="mlpages-quiz" id="{esc(spec["id"])}" data-mlpages-quiz{lang} '
        f'data-mlpages-name="{esc(spec["name"])}">'
        f'{json_script(spec, css_class="mlpages-quiz-spec")}{body}</div>'
    )


# Parsing ---------------------------------------------------------------------------------


def _text(value: Any, what: str, key: KeyPath | str | None) -> str:
    """Author text: strings as they are, numbers written back as text (`42` → "42")."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        raise BlockError(f"{what} must be text, got {type(value).__name__}", key=key)
    if not value.strip():
        raise BlockError(f"{what} is empty", key=key)
    return value


def _at(key: KeyPath | str, *more: Any) -> KeyPath | str:
    """The path `more` below `key` when `key` is a path in the block; a top-level key (a
    bank's `include`, whose questions are in another file) stays as it is."""
    return (*key, *more) if isinstance(key, tuple) else key


def _question(raw: Any, where: str, key: KeyPath | str, default_id: str,
              page: PageState | None = None) -> Question:
    """One question mapping; `where` prefixes messages ("question 2"), `key` points at the line:
    the question's path in the block (``()`` for a quiz of one question), or `include`."""
    prefix = f"{where}: " if where else ""
    if not isinstance(raw, Mapping):
        raise BlockError(f"{prefix}a question must be a mapping with 'question' and 'answers'", key=key)
    check_keys(raw, QUESTION_KEYS, where=where, key=key)

    def k(name: str) -> KeyPath | str:
        return _at(key, name)

    if raw.get("question") is None:
        raise BlockError(f"{prefix}missing 'question' (its text)", key=k("question"))
    text = _text(raw["question"], f"{prefix}'question'", k("question"))
    qid = default_id
    if raw.get("id") is not None:
        qid = _text(raw["id"], f"{prefix}'id'", k("id"))
        if not _ID.match(qid):
            raise BlockError(f"{prefix}'id' {qid!r} may hold only letters, digits, '-', '_' and '.'",
                             key=k("id"))
    hint = _text(raw["hint"], f"{prefix}'hint'", k("hint")) if raw.get("hint") is not None else None
    explanation = None
    if raw.get("explanation") is not None:
        explanation = _text(raw["explanation"], f"{prefix}'explanation'", k("explanation"))
    if "answer_from" in raw:
        for other in ("answers", "type", "multiple"):
            if other in raw:
                raise BlockError(f"{prefix}a numeric question ('answer_from') has no '{other}': "
                                 "the reader types a number", key=k(other))
        number = _number(raw, prefix, k, page)
        return Question(qid, text, [], False, hint, explanation, number=number)
    if "tolerance" in raw:
        raise BlockError(f"{prefix}'tolerance' belongs to a numeric question (one with 'answer_from')",
                         key=k("tolerance"))
    kind = raw.get("type")
    if kind is not None and kind != ORDER:
        raise BlockError(f"{prefix}'type' must be '{ORDER}' (an ordering question), got {kind!r}; "
                         "other questions need no 'type'", key=k("type"))
    order = kind == ORDER
    if order and "multiple" in raw:
        raise BlockError(f"{prefix}an ordering question has no 'multiple' (its items are listed "
                         "in the right order)", key=k("multiple"))
    multiple = raw.get("multiple", False)
    if not isinstance(multiple, bool):
        raise BlockError(f"{prefix}'multiple' must be true or false, got {multiple!r} "
                         "(YAML 1.2: yes/no/on/off are strings)", key=k("multiple"))
    answers_raw = raw.get("answers")
    if order:
        items = _order_items(answers_raw, prefix, k("answers"))
        return Question(qid, text, items, False, hint, explanation, order=True)
    if not isinstance(answers_raw, list) or len(answers_raw) < 2:
        raise BlockError(f"{prefix}'answers' must be a list of at least two answers "
                         "(each a text or {text, correct, feedback})", key=k("answers"))
    answers = [_answer(a, f"{prefix}answer {i + 1}", _at(k("answers"), i))
               for i, a in enumerate(answers_raw)]
    correct = sum(a.correct for a in answers)
    if correct == 0:
        raise BlockError(f"{prefix}no answer is marked 'correct: true'", key=k("answers"))
    if correct > 1 and not multiple:
        raise BlockError(f"{prefix}{correct} answers are marked correct; a single-choice question has "
                         "exactly one (add 'multiple: true' for several)", key=k("answers"))
    return Question(qid, text, answers, multiple, hint, explanation)


def _number(raw: Mapping[str, Any], prefix: str, k: Any, page: PageState | None) -> dict[str, Any]:
    """`answer_from` (a train, predict, convolution or tfjs cell above the quiz) and `tolerance`,
    checked against the cell's references: the spec's `from`, `references` ([{epsilon, value}])
    and `tolerance`."""
    key = k("answer_from")
    src = raw["answer_from"]
    if not isinstance(src, Mapping):
        raise BlockError(f"{prefix}'answer_from' must be a mapping {{cell, quantity, epoch | index}}",
                         key=key)
    check_keys(src, BOUND_KEYS, where=f"{prefix}answer_from".strip(), key=key)
    origin, refs, values = bound_value(src, page, prefix, key)
    tolerance = dict(DEFAULT_TOLERANCE)
    if raw.get("tolerance") is not None:
        tol = raw["tolerance"]
        tkey = k("tolerance")
        if not isinstance(tol, Mapping):
            raise BlockError(f"{prefix}'tolerance' must be a mapping {{rtol, atol}}", key=tkey)
        check_keys(tol, ["rtol", "atol"], where=f"{prefix}tolerance".strip(), key=tkey)
        for name, value in tol.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise BlockError(f"{prefix}tolerance: '{name}' must be a number >= 0, got {value!r}",
                                 key=_at(tkey, name))
            tolerance[name] = float(value)
    return {
        "from": origin,
        "references": [{"epsilon": r["epsilon"], "value": v} for r, v in zip(refs, values, strict=True)],
        "tolerance": tolerance,
    }


def _order_items(raw: Any, prefix: str, key: KeyPath | str) -> list[Answer]:
    """The items of an ordering question, in the right order: texts or `{text, feedback}`."""
    if not isinstance(raw, list) or len(raw) < 2:
        raise BlockError(f"{prefix}'answers' of an ordering question must be a list of at least two "
                         "items, in the right order (each a text or {text, feedback})", key=key)
    items = []
    seen: dict[str, int] = {}
    answers_key = key
    for i, item in enumerate(raw):
        where = f"{prefix}item {i + 1}"
        key = _at(answers_key, i)
        if isinstance(item, Mapping) and "correct" in item:
            raise BlockError(f"{where}: an ordering question has no 'correct' (list its items "
                             "in the right order)", key=key)
        if isinstance(item, Mapping):
            check_keys(item, ["text", "feedback"], where=where, key=key)
        answer = _answer(item, where, key)
        first = seen.setdefault(answer.text.strip(), i)
        if first != i:
            raise BlockError(f"{where} repeats item {first + 1} ({answer.text.strip()!r}); "
                             "the items of an ordering question differ", key=key)
        items.append(answer)
    return items


def scramble(qid: str, n: int) -> list[int]:
    """The order an ordering question shows its n items in, as indices into the right order:
    fixed for a question id, and never the right order itself (n ≥ 2)."""
    shown = list(range(n))
    random.Random(hashlib.sha256(qid.encode("utf-8")).digest()).shuffle(shown)
    if n >= 2 and shown == sorted(shown):
        shown = shown[1:] + shown[:1]
    return shown


def _answer(raw: Any, where: str, key: KeyPath | str) -> Answer:
    if isinstance(raw, Mapping):
        check_keys(raw, ANSWER_KEYS, where=where, key=key)
        if raw.get("text") is None:
            raise BlockError(f"{where}: missing 'text'", key=key)
        correct = raw.get("correct", False)
        if not isinstance(correct, bool):
            raise BlockError(f"{where}: 'correct' must be true or false, got {correct!r}",
                             key=_at(key, "correct"))
        feedback = raw.get("feedback")
        return Answer(
            _text(raw["text"], f"{where}: 'text'", _at(key, "text")), correct,
            _text(feedback, f"{where}: 'feedback'", _at(key, "feedback")) if feedback is not None else None,
        )
    if raw is None:
        raise BlockError(f"{where} is empty", key=key)
    return Answer(_text(raw, where, key), False, None)


def _bank_path(include: Any, page: PageState) -> tuple[Path, str]:
    """The bank file for `include: quizzes/<bank>.yml` (the quizzes dir of the project)."""
    if not isinstance(include, str) or not include.strip():
        raise BlockError(f"'include' must be a path like {BANK_DIR}/<bank>.yml", key="include")
    rel = PurePosixPath(include.strip())
    parts = rel.parts[1:] if rel.parts and rel.parts[0] == BANK_DIR else rel.parts
    if rel.is_absolute() or not parts or ".." in parts:
        raise BlockError(f"'include' must be a path inside {BANK_DIR}/, like {BANK_DIR}/<bank>.yml, "
                         f"got {include!r}", key="include")
    folder = page.quizzes_dir if page.quizzes_dir is not None else page.base_dir / BANK_DIR
    # The bank, symlinks resolved (the quizzes folder itself may be one), lies in the folder
    # that holds quizzes/: the project's (mkdocs.yml's) folder.
    try:
        inside(folder.joinpath(*parts), folder.parent, f"quiz bank {include!r}")
    except OutsideError as exc:
        raise BlockError(str(exc), key="include") from None
    path = folder.joinpath(*parts)
    if not is_file(path):
        raise BlockError(f"quiz bank {include!r} not found (looked for {path})", key="include")
    return path, f"{BANK_DIR}/{'/'.join(parts)}"


def _from_bank(data: Mapping[str, Any], page: PageState) -> list[Question]:
    path, shown = _bank_path(data["include"], page)
    try:
        raw = load(path.read_text(encoding="utf-8-sig"), max_depth=page.limits.yaml_depth,
                   max_alias_nodes=page.limits.yaml_aliases)
    except YamlError as exc:
        raise BlockError(f"{shown}:{exc.line + 1}: invalid YAML: {exc.message}", key="include") from None
    if isinstance(raw, Mapping):
        check_keys(raw, ["questions"], where=shown, key="include")
        raw = raw.get("questions")
    if not isinstance(raw, list) or not raw:
        raise BlockError(f"{shown}: a bank is a list of questions (or a mapping with 'questions:')",
                         key="include")
    bank: dict[str, Question] = {}
    for i, item in enumerate(raw):
        where = f"{shown}: question {i + 1}"
        if isinstance(item, Mapping) and item.get("id") is None:
            raise BlockError(f"{where}: a question in a bank needs an 'id'", key="include")
        q = _question(item, where, "include", "", page)
        if q.id in bank:
            raise BlockError(f"{where}: duplicate id '{q.id}' (ids are unique within a bank)",
                             key="include")
        bank[q.id] = q
    wanted = data.get("questions")
    if wanted is None:
        return list(bank.values())
    if not isinstance(wanted, list) or not wanted:
        raise BlockError(f"'questions' with 'include' must be a non-empty list of ids of {shown}",
                         key="questions")
    picked = []
    for i, qid in enumerate(wanted):
        qid = str(qid)
        if qid not in bank:
            raise BlockError(f"{shown} has no question with id '{qid}'{did_you_mean(qid, bank)}; "
                             f"its ids: {', '.join(bank)}", key=("questions", i))
        picked.append(bank[qid])
    return picked


def _claim_ids(questions: list[Question], page: PageState, name: str, keys: list[Any]) -> None:
    """Refuse a question id used twice on the page; `keys[i]` places the error of question i."""
    seen: set[str] = set()
    for q, key in zip(questions, keys, strict=False):
        other = page.quiz_ids.get(q.id)
        if q.id in seen or other is not None:
            where = "this quiz" if q.id in seen else f"quiz '{other}' on this page"
            raise BlockError(f"question id '{q.id}' is already used by {where}; "
                             "question ids are unique per page", key=key)
        seen.add(q.id)
    for q in questions:
        page.quiz_ids[q.id] = name


def _element_ids(quiz_id: str, name: str, questions: list[Question]) -> list[tuple[str, str, str]]:
    """The ids `render` gives the questions' fieldsets and controls, as claims for
    `PageState.claim_element_ids` (a question id `a.b` gives the fieldset id of `a-b`)."""
    claims = []
    for q in questions:
        base = _question_base(quiz_id, q.id)
        owner = f"question '{q.id}' of quiz '{name}'"
        claims.append((base, owner, f"question '{q.id}'"))
        if q.number is not None:
            controls = [("-value", "the answer box")]
        elif q.order:
            controls = [(f"-p{j}", f"item {j}") for j in range(1, len(q.answers) + 1)]
        else:
            controls = [(f"-a{i}", f"answer {i}") for i in range(1, len(q.answers) + 1)]
        controls.append(("-hint", "the hint box"))  # made by the runtime (runtime/quiz.js)
        claims += [(base + suffix, f"{what} of {owner}", f"{what} of question '{q.id}'")
                   for suffix, what in controls]
    return claims


def _question_base(quiz_id: str, qid: str) -> str:
    """A question's fieldset id; its controls' ids add a suffix (`-a1`, `-p1`, `-value`)."""
    return f"{quiz_id}-{id_part(qid)}"


# Rendering -------------------------------------------------------------------------------


def _question_spec(q: Question, text: TextRenderer) -> dict[str, Any]:
    if q.number is not None:
        head = {"id": q.id, "type": NUMBER, **q.number}
    elif q.order:  # answers in the right order; `shown`: the page order, as indices into it
        head = {"id": q.id, "type": ORDER, "answers": len(q.answers),
                "shown": scramble(q.id, len(q.answers))}
    else:
        head = {"id": q.id, "type": "multiple" if q.multiple else "single", "answers": len(q.answers),
                "correct": [i for i, a in enumerate(q.answers) if a.correct]}
    return {
        **head,
        "feedback": [text.block(a.feedback) if a.feedback else None for a in q.answers],
        "hint": text.block(q.hint) if q.hint else None,
        "explanation": text.block(q.explanation) if q.explanation else None,
    }


def render(spec: dict[str, Any], questions: list[Question], text: TextRenderer,
           m: Messages | None = None) -> str:
    """Questions as real form controls; hint and answers in closed `<details>` (no JavaScript needed)."""
    m = m or current()
    parts = []
    for n, (q, qspec) in enumerate(zip(questions, spec["questions"], strict=True), start=1):
        base = _question_base(spec["id"], q.id)
        stem = text.inline(q.question)
        if is_inline(stem):
            legend, body = stem, ""
        else:
            legend, body = esc(m.t("quiz_question_n", n=n)), f'<div class="mlpages-quiz-text">{stem}</div>'
        if q.number is not None:
            mode, items, solution = _number_parts(qspec, base, m)
        elif q.order:
            mode, items, solution = _order_parts(q, qspec, base, text, m)
        else:
            mode, items, solution = _choice_parts(q, qspec, base, text, m)
        hint = ""
        if qspec["hint"]:
            hint = (f'<details class="mlpages-quiz-hint">'
                    f'<summary {NO_SEARCH}>{esc(m.t("quiz_hint"))}</summary>'
                    f'{qspec["hint"]}</details>')
        explanation = ""
        if qspec["explanation"]:  # the runtime moves this element to show it after Check
            explanation = f'<div class="mlpages-quiz-explanation-text">{qspec["explanation"]}</div>'
        parts.append(
            f'<fieldset class="mlpages-question" id="{base}" data-mlpages-question="{esc(q.id)}" '
            f'data-mlpages-type="{qspec["type"]}">'
            f"<legend>{legend}</legend>{body}"
            f'<p class="mlpages-quiz-mode" {NO_SEARCH}>{mode}</p>'
            f'<ul class="mlpages-answers">{"".join(items)}</ul>{hint}'
            f'<details class="mlpages-quiz-solution">'
            f'<summary {NO_SEARCH}>{esc(m.t("quiz_show_answer"))}</summary>'
            f'{solution}{explanation}</details>'
            "</fieldset>"
        )
    return "".join(parts)


def _feedback(qspec: dict[str, Any], i: int) -> str:
    """Answer i's feedback in the solution, in the element the runtime moves into its verdict."""
    html = qspec["feedback"][i]
    return f'<div class="mlpages-quiz-feedback-text" data-mlpages-answer="{i}">{html}</div>' if html else ""


def _choice_parts(q: Question, qspec: dict[str, Any], base: str,
                  text: TextRenderer, m: Messages) -> tuple[str, list[str], str]:
    """Radio buttons or checkboxes, and the right (and commented) answers."""
    kind = "checkbox" if q.multiple else "radio"
    mode = esc(m.t("quiz_mode_multiple" if q.multiple else "quiz_mode_single"))
    items = []
    for i, a in enumerate(q.answers):
        aid = f"{base}-a{i + 1}"
        items.append(
            f'<li class="mlpages-answer"><input type="{kind}" id="{aid}" name="{base}" value="{i}">'
            f' <label for="{aid}">{text.inline(a.text)}</label></li>'
        )
    solution = []
    for i, a in enumerate(q.answers):
        if not (a.correct or a.feedback):
            continue
        verdict = esc(m.t("quiz_solution_right" if a.correct else "quiz_solution_wrong"))
        fb = _feedback(qspec, i)
        solution.append(f'<li><strong {NO_SEARCH}>{verdict}</strong> {text.inline(a.text)}{fb}</li>')
    return mode, items, f'<ul>{"".join(solution)}</ul>'


def _describe(origin: Mapping[str, Any], m: Messages) -> str:
    """What the number is, in words (HTML): "the loss after epoch 3 of <code>fit-xor</code>"."""
    cell = f"<code>{esc(origin['name'])}</code>"
    if "epoch" in origin:
        return m.html("quiz_describe_epoch", quantity=esc(origin["quantity"]), epoch=origin["epoch"] + 1,
                      cell=cell)
    return m.html("quiz_describe_index", index=origin["index"], cell=cell)


def _number_parts(qspec: dict[str, Any], base: str, m: Messages) -> tuple[str, list[str], str]:
    """A text box for the number, and the reference value (WebGL precision) as the answer."""
    tol = qspec["tolerance"]
    ref = next((r for r in qspec["references"] if r["epsilon"] == EPSILONS["webgl"]),
               qspec["references"][0])
    aid = f"{base}-value"
    mode = m.html("quiz_mode_number", what=_describe(qspec["from"], m))
    items = [f'<li class="mlpages-answer mlpages-number-answer">'
             f'<label for="{aid}" {NO_SEARCH}>{esc(m.t("quiz_your_answer"))}</label> '
             f'<input type="text" inputmode="decimal" autocomplete="off" id="{aid}" name="{base}"></li>']
    value = float(ref["value"])
    accepted = (m.t("quiz_accepted", atol=f"{tol['atol']:g}".replace(".", m.decimal),
                    rtol=f"{tol['rtol']:g}".replace(".", m.decimal))
                if math.isfinite(value) else m.t("quiz_diverged", value=fmt(value)))
    solution = (f'<p {NO_SEARCH}>'
                + m.html("quiz_number_solution",
                         value=f'<strong class="mlpages-quiz-value">{esc(m.number(value))}</strong>',
                         what=_describe(qspec["from"], m))
                + f" {esc(accepted)}</p>")
    return mode, items, solution


def _plain(html_text: str) -> str:
    """Rendered inline HTML as plain text (for an aria-label)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def _order_parts(q: Question, qspec: dict[str, Any], base: str,
                 text: TextRenderer, m: Messages) -> tuple[str, list[str], str]:
    """The items in their scrambled page order, each with a position select; the right order."""
    n = len(q.answers)
    mode = esc(m.t("quiz_mode_order", count=n))
    items = []
    for j, i in enumerate(qspec["shown"]):
        sid = f"{base}-p{j + 1}"
        label = text.inline(q.answers[i].text)
        options = '<option value="" selected>–</option>' + "".join(
            f'<option value="{p}">{p}</option>' for p in range(1, n + 1))
        items.append(
            f'<li class="mlpages-answer mlpages-order-item">'
            f'<select id="{sid}" name="{sid}" data-mlpages-item="{i}" '
            f'aria-label="{esc(m.t("quiz_position_of", item=_plain(label)))}">{options}</select>'
            f' <label for="{sid}">{label}</label></li>'
        )
    solution = [f"<li>{text.inline(a.text)}{_feedback(qspec, i)}</li>"
                for i, a in enumerate(q.answers)]
    return mode, items, f'<p {NO_SEARCH}>{esc(m.t("quiz_right_order"))}</p><ol>{"".join(solution)}</ol>'

