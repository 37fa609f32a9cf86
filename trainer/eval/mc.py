"""Multiple-choice benchmarks re-posed generatively, few-shot, scored by exact-match accuracy.

A benchmark is a JSONL file, one question a line:

    {"id": "q1", "lang": "en", "question": "...", "options": ["...", "..."], "answer": "B"}
    {"id": "q2", "lang": "zh", "question": "...", "options": [...], "answer": ["A", "C"]}   # multi-answer

`answer` names options by letter (A = the first). Variants (`eval.variants`):

    letters         options labelled A/B/C/D, the answer is the letter
    option_text     options listed by text only, the answer is the correct option's text
    none_of_others  as option_text, with the correct option's text replaced by "none of the other
                    answers" (per language), which is then the answer
    labels_cjk      labels 一/二/三/四, the answer is the label
    labels_digits   labels 1/2/3/4, the answer is the label
    single_answer   a multi-answer question becomes one question per correct option: that option
                    kept, the other correct ones removed, labelled A/B/C/D

The first five pose the single-answer questions; single_answer poses the multi-answer ones.
The prompt is `few_shot` solved questions of the same language and variant (never the asked
one), a blank line between each, then the question; the model answers by greedy generation
up to `eval.max_new_tokens` or the first newline, and is right when that line, stripped,
equals the expected answer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from conf import ConfigError

LETTERS = "ABCDEFGHIJ"
LABELS = {"letters": LETTERS, "labels_cjk": "一二三四五六七八九十", "labels_digits": "123456789", "single_answer": LETTERS}
VARIANTS = ("letters", "option_text", "none_of_others", "labels_cjk", "labels_digits", "single_answer")
# Question/answer scaffolding per language; an English answer follows a space, a Chinese one does not.
TEMPLATES = {"en": ("Question: ", "Answer:", " "), "zh": ("问题：", "答案：", "")}
NONE_OF_OTHERS = {"en": "none of the other answers", "zh": "其他选项都不对"}


@dataclass(frozen=True)
class Question:
    """One benchmark line: options and the indices of the correct ones."""

    id: str
    lang: str
    question: str
    options: tuple[str, ...]
    answers: tuple[int, ...]


@dataclass(frozen=True)
class Posed:
    """A question in one variant: the lines after the question and the expected answer."""

    id: str
    source_id: str
    lang: str
    question: str
    lines: tuple[str, ...]
    expected: str


def parse_question(data, where: str) -> Question:
    """A Question from one decoded JSONL line; ConfigError naming `<where>.<key>` on a mistake."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    extra = sorted(set(data) - {"id", "lang", "question", "options", "answer"})
    if extra:
        raise ConfigError(f"{where}.{extra[0]}: unknown key (expected id, lang, question, options, answer)")
    for key in ("id", "question"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ConfigError(f"{where}.{key} must be a non-empty string")
    if data.get("lang") not in TEMPLATES:
        raise ConfigError(f"{where}.lang must be one of {', '.join(TEMPLATES)}, got {data.get('lang')!r}")
    options = data.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= len(LABELS["labels_digits"]) \
            or not all(isinstance(o, str) and o for o in options):
        raise ConfigError(f"{where}.options must be a list of 2 to 9 non-empty strings")
    answer = data.get("answer")
    letters = [answer] if isinstance(answer, str) else answer
    if not isinstance(letters, list) or not letters or \
            not all(isinstance(a, str) and a in LETTERS[:len(options)] for a in letters) or len(set(letters)) != len(letters):
        raise ConfigError(f"{where}.answer must be a letter A..{LETTERS[len(options) - 1]} or a list of distinct ones")
    if len(letters) == len(options):
        raise ConfigError(f"{where}.answer: every option is correct, nothing to choose")
    return Question(data["id"], data["lang"], data["question"], tuple(options),
                    tuple(sorted(LETTERS.index(a) for a in letters)))


def load_benchmark(path: str) -> tuple[str, list[Question]]:
    """(benchmark name = file stem, its questions) from a JSONL file; ids must be unique."""
    from trainer.eval.probes import find_path

    p = find_path(path)
    if not p.is_file():
        raise ConfigError(f"eval.benchmarks: {path!r} is not a file")
    questions, ids = [], set()
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{p.name}:{n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
        q = parse_question(data, where)
        if q.id in ids:
            raise ConfigError(f"{where}.id: {q.id!r} is used twice")
        ids.add(q.id)
        questions.append(q)
    if not questions:
        raise ConfigError(f"eval.benchmarks: {path!r} holds no question")
    return p.stem, questions


def pose(q: Question, variant: str) -> list[Posed]:
    """`q` in `variant` (an empty list when the variant does not apply to it)."""
    if variant not in VARIANTS:
        raise ConfigError(f"eval.variants: unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    multi = len(q.answers) > 1
    if variant == "single_answer":
        if not multi:
            return []
        out = []
        for k, keep in enumerate(q.answers):
            options = [o for j, o in enumerate(q.options) if j == keep or j not in q.answers]
            index = [j for j in range(len(q.options)) if j == keep or j not in q.answers].index(keep)
            out.append(Posed(f"{q.id}#{k + 1}", q.id, q.lang, q.question,
                             tuple(f"{LETTERS[i]}. {o}" for i, o in enumerate(options)), LETTERS[index]))
        return out
    if multi:
        return []
    right = q.answers[0]
    if variant in ("option_text", "none_of_others"):
        options = list(q.options)
        if variant == "none_of_others":
            options[right] = NONE_OF_OTHERS[q.lang]
        return [Posed(q.id, q.id, q.lang, q.question, tuple(f"- {o}" for o in options), options[right])]
    labels = LABELS[variant]
    return [Posed(q.id, q.id, q.lang, q.question, tuple(f"{labels[i]}. {o}" for i, o in enumerate(q.options)),
                  labels[right])]


def render(p: Posed, with_answer: bool) -> str:
    """The question block; `with_answer` adds the expected answer (a solved shot)."""
    ask, answer, sep = TEMPLATES[p.lang]
    text = f"{ask}{p.question}\n" + "\n".join(p.lines) + f"\n{answer}"
    return text + (f"{sep}{p.expected}" if with_answer else "")


def prompts(questions: list[Question], variant: str, few_shot: int) -> list[tuple[Posed, str]]:
    """(posed question, full prompt) for every question `variant` applies to, in file order.

    The shots are the first `few_shot` posed questions of the same language whose source
    question is not the asked one.
    """
    posed = [p for q in questions for p in pose(q, variant)]
    out = []
    for p in posed:
        shots = [s for s in posed if s.lang == p.lang and s.source_id != p.source_id][:few_shot]
        out.append((p, "\n\n".join([render(s, True) for s in shots] + [render(p, False)])))
    return out


def is_correct(generated: str, expected: str) -> bool:
    """The first line of the generation, stripped, equals the expected answer."""
    return generated.split("\n", 1)[0].strip() == expected.strip()
