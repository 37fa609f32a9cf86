"""Golden tests of the re-posed multiple-choice variants: question in, exact prompt and answer out."""
import json

import pytest

from conf import ConfigError
from trainer.eval import mc

SINGLE = mc.parse_question({"id": "q1", "lang": "en", "question": "What is 2 + 2?",
                            "options": ["3", "4", "5", "22"], "answer": "B"}, "t")
MULTI = mc.parse_question({"id": "q2", "lang": "en", "question": "Which are prime?",
                           "options": ["2", "4", "7", "9"], "answer": ["A", "C"]}, "t")
ZH = mc.parse_question({"id": "z1", "lang": "zh", "question": "中国的首都是哪里？",
                        "options": ["上海", "北京", "广州", "深圳"], "answer": "B"}, "t")


def only(q, variant):
    (p,) = mc.prompts([q], variant, few_shot=0)
    return p[1], p[0].expected


def test_letters_prompt_and_answer():
    assert only(SINGLE, "letters") == ("Question: What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 22\nAnswer:", "B")


def test_option_text_answer_is_the_text():
    assert only(SINGLE, "option_text") == ("Question: What is 2 + 2?\n- 3\n- 4\n- 5\n- 22\nAnswer:", "4")


def test_none_of_others_replaces_the_correct_text():
    assert only(SINGLE, "none_of_others") == (
        "Question: What is 2 + 2?\n- 3\n- none of the other answers\n- 5\n- 22\nAnswer:", "none of the other answers")
    assert only(ZH, "none_of_others") == ("问题：中国的首都是哪里？\n- 上海\n- 其他选项都不对\n- 广州\n- 深圳\n答案：", "其他选项都不对")


def test_labels_cjk_and_digits():
    assert only(ZH, "labels_cjk") == ("问题：中国的首都是哪里？\n一. 上海\n二. 北京\n三. 广州\n四. 深圳\n答案：", "二")
    assert only(SINGLE, "labels_digits") == ("Question: What is 2 + 2?\n1. 3\n2. 4\n3. 5\n4. 22\nAnswer:", "2")


def test_single_answer_one_question_per_correct_option():
    posed = mc.prompts([MULTI], "single_answer", few_shot=0)
    assert [(p.id, prompt, p.expected) for p, prompt in posed] == [
        ("q2#1", "Question: Which are prime?\nA. 2\nB. 4\nC. 9\nAnswer:", "A"),
        ("q2#2", "Question: Which are prime?\nA. 4\nB. 7\nC. 9\nAnswer:", "B"),
    ]
    assert mc.prompts([SINGLE], "single_answer", 0) == []
    assert mc.prompts([MULTI], "letters", 0) == []  # multi-answer questions are posed by single_answer only


def test_few_shot_uses_other_questions_of_the_same_language_with_answers():
    other = mc.parse_question({"id": "q3", "lang": "en", "question": "Sky colour?", "options": ["blue", "red"],
                               "answer": "A"}, "t")
    prompts = dict((p.id, text) for p, text in mc.prompts([SINGLE, ZH, other], "letters", few_shot=2))
    assert prompts["q1"] == ("Question: Sky colour?\nA. blue\nB. red\nAnswer: A\n\n"
                             "Question: What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 22\nAnswer:")
    # No other Chinese question: no shot (an English one is never a shot for a Chinese question).
    assert prompts["z1"] == "问题：中国的首都是哪里？\nA. 上海\nB. 北京\nC. 广州\nD. 深圳\n答案："


def test_is_correct_takes_the_first_line_stripped():
    assert mc.is_correct(" B\nQuestion: next", "B")
    assert not mc.is_correct(" C\n", "B")


def test_shipped_benchmarks_load_with_en_zh_and_multi_answer():
    for path, lang in (("conf/benchmarks/general_en.jsonl", "en"), ("conf/benchmarks/general_zh.jsonl", "zh")):
        name, questions = mc.load_benchmark(path)
        assert len(questions) >= 20 and {q.lang for q in questions} == {lang}
        assert any(len(q.answers) > 1 for q in questions)
        for v in mc.VARIANTS:
            assert mc.prompts(questions, v, 2)


@pytest.mark.parametrize("line, message", [
    ({"id": "x", "lang": "en", "question": "q", "options": ["a", "b"], "answer": "C"}, r"b\.jsonl:1\.answer must be"),
    ({"id": "x", "lang": "fr", "question": "q", "options": ["a", "b"], "answer": "A"}, r"b\.jsonl:1\.lang must be"),
    ({"id": "x", "lang": "en", "question": "q", "options": ["a"], "answer": "A"}, r"b\.jsonl:1\.options must be"),
    ({"id": "x", "lang": "en", "question": "q", "options": ["a", "b"], "answer": "A", "hint": 1}, r"b\.jsonl:1\.hint"),
])
def test_benchmark_line_errors_name_the_key(tmp_path, line, message):
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ConfigError, match=message):
        mc.load_benchmark(str(path))
