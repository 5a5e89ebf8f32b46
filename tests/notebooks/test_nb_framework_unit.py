"""Unit tests of the exercise framework: answer normalising/comparing, key files,
check() messages, the student-notebook generator."""
import json

import nbformat
import numpy as np
import pandas as pd
import pytest

import crmlab.exercises as ex
from crmlab.exercises import answers, check
from tools.generate import GenerateError, clean_notebook, notebook_text, student_notebook, student_source


# --- normalise / answers_match ---------------------------------------------------------------

def test_unit_normalise_kinds():
    assert answers.normalise(np.int64(3)) == {"kind": "number", "value": 3.0}
    assert answers.normalise(True) == {"kind": "bool", "value": True}
    assert answers.normalise("  Gold ") == {"kind": "text", "value": "gold"}
    assert answers.normalise(pd.Timestamp("2024-03-05 13:00")) == {"kind": "text", "value": "2024-03-05"}
    s = answers.normalise(pd.Series({"Gold": 2, "silver": 1.5}))
    assert s == {"kind": "dict", "value": {"gold": {"kind": "number", "value": 2.0},
                                           "silver": {"kind": "number", "value": 1.5}}}
    assert answers.normalise({3, 1})["kind"] == "set"
    assert answers.normalise(np.array([1, 2]))["value"][1] == {"kind": "number", "value": 2.0}


def test_unit_normalise_rejects_unanswerable():
    with pytest.raises(answers.NotAnswered):
        answers.normalise(...)
    with pytest.raises(answers.NotAnswered):
        answers.normalise([1, ...])
    with pytest.raises(answers.AnswerTypeError, match="None"):
        answers.normalise(None)
    with pytest.raises(answers.AnswerTypeError, match="NaN"):
        answers.normalise(float("nan"))
    with pytest.raises(answers.AnswerTypeError, match="whole table"):
        answers.normalise(pd.DataFrame({"a": [1], "b": [2]}))


def test_unit_compare_number_tolerance():
    exp = answers.normalise(1000.0)
    # |1000.9 - 1000| = 0.9 <= 1e-9 + 1e-3 * 1000 = 1.0  -> match
    assert answers.answers_match(answers.normalise(1000.9), exp)
    # |1001.1 - 1000| = 1.1 > 1.0 -> no match
    assert not answers.answers_match(answers.normalise(1001.1), exp)
    assert not answers.answers_match(answers.normalise(1000.5), exp, rtol=0, atol=0.1)


def test_unit_compare_containers():
    assert answers.answers_match(answers.normalise({2, 1}), answers.normalise({1, 2}))
    assert not answers.answers_match(answers.normalise([2, 1]), answers.normalise([1, 2]))
    assert answers.answers_match(answers.normalise(pd.Series({"b": 2.0, "a": 1.0})),
                                 answers.normalise({"a": 1, "b": 2}))
    assert not answers.answers_match(answers.normalise({"a": 1}), answers.normalise({"a": 1, "b": 2}))
    assert not answers.answers_match(answers.normalise(1), answers.normalise("1"))


def test_unit_key_entries_are_not_plain_text():
    entry = {"answer": answers.normalise(4242.5), "hint": "h"}
    text = answers.encode_entry(entry)
    assert "4242" not in text
    assert answers.decode_entry(text) == entry


# --- check() -----------------------------------------------------------------------------

@pytest.fixture()
def tmp_key(tmp_path, monkeypatch):
    monkeypatch.setattr(answers, "KEY_DIR", tmp_path)
    monkeypatch.delenv(ex.RECORD_ENV, raising=False)
    monkeypatch.delenv(ex.LOG_ENV, raising=False)
    answers.write_key("99", {"99.total": {"answer": answers.normalise(12.5), "hint": "add them up"},
                             "99.names": {"answer": answers.normalise({"ann", "bo"}), "hint": "two names"},
                             "99.steps": {"answer": answers.normalise(3.0),
                                          "hints": ["the concept", "the method", "the code"]}},
                      source="test")
    monkeypatch.setattr(ex, "_wrong_attempts", {})
    return tmp_path


def test_unit_check_statuses(tmp_key, capsys):
    assert check("99.total", 12.5).status == "right"
    assert "Right" in capsys.readouterr().out
    wrong = check("99.total", 13)
    assert wrong.status == "wrong" and "add them up" in wrong.message and not wrong
    assert check("99.total", ...).status == "not answered"
    kind = check("99.total", "12.5")
    assert kind.status == "wrong" and "Expected a number" in kind.message
    assert check("99.names", {"BO", "ann"}).status == "right"
    assert check("99.nope", 1).status == "unknown exercise"
    assert check("98.total", 1).status == "no key"
    assert check(4, 1).status == check("total", 1).status == "unknown exercise"
    assert "12.5" not in capsys.readouterr().out


def test_unit_check_record_and_log(tmp_key, tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv(ex.LOG_ENV, str(log))
    check("99.total", 12.5)
    check("99.total", ...)
    assert [json.loads(x)["status"] for x in log.read_text().splitlines()] == ["right", "not answered"]
    rec = tmp_path / "rec.jsonl"
    monkeypatch.setenv(ex.RECORD_ENV, str(rec))
    assert check("99.total", 7).status == "recorded"
    assert json.loads(rec.read_text())["answer"] == {"kind": "number", "value": 7.0}
    with pytest.raises(RuntimeError, match="no answer"):
        check("99.total", ...)


def test_unit_each_wrong_answer_reveals_one_more_hint_step(tmp_key, capsys):
    first = check("99.steps", 1).message
    assert first == "Hint 1 of 3: the concept"
    second = check("99.steps", "three").message          # a wrong kind counts as a wrong answer too
    assert second.endswith("Hint 1 of 3: the concept\nHint 2 of 3: the method") and "the code" not in second
    assert check("99.steps", 3.0).status == "right"       # right answers reveal nothing more
    third = check("99.steps", 2).message
    assert third.splitlines()[-1] == "Hint 3 of 3: the code"
    assert check("99.steps", 2).message == third          # after the last step: all steps again
    assert check("99.total", 1).message == "Hint: add them up"   # steps are counted per exercise
    assert "<br>" in check("99.steps", 2)._repr_html_()


def test_unit_check_html_box(tmp_key, capsys):
    html = check("99.total", 1)._repr_html_()
    assert "Not quite" in html and "add them up" in html and "<div" in html


# --- generator ---------------------------------------------------------------------------

def test_unit_student_source_replaces_regions():
    src = ("import x\n"
           "### BEGIN SOLUTION\n"
           "table = x.f()\n"
           "answer, other = table.sum(), 2\n"
           "answer += 1\n"
           "### END SOLUTION\n"
           "check('01.a', answer)")
    assert student_source(src) == "import x\n# your code here\ntable = ...\nanswer = ...\nother = ...\ncheck('01.a', answer)"
    indented = "if True:\n    ### BEGIN SOLUTION\n    y = 1\n    ### END SOLUTION\n"
    assert student_source(indented) == "if True:\n    # your code here\n    y = ...\n"
    assert student_source("a\n### BEGIN SOLUTION\nwords\n### END SOLUTION", "markdown") == "a\n*Your answer here.*"


@pytest.mark.parametrize("bad, message", [
    ("### BEGIN SOLUTION\nx = 1", "without"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "nested"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "not valid Python"),
])
def test_unit_student_source_errors(bad, message):
    with pytest.raises(GenerateError, match=message):
        student_source(bad, where="nb.ipynb, cell 3")


def test_unit_generated_notebook_is_clean_and_stable():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\ncheck('00.x', answer)")
    code.outputs = [nbformat.v4.new_output("stream", text="hi")]
    code.execution_count = 3
    code.metadata = {"scrolled": True, "tags": ["exercise"]}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), code]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.9"}
    student = student_notebook(nb)
    cell = student.cells[1]
    assert cell.outputs == [] and cell.execution_count is None and cell.metadata == {"tags": ["exercise"]}
    assert cell.id == code.id
    assert "answer = 42" not in notebook_text(student)   # (a random cell id may contain "42")
    assert notebook_text(student_notebook(nb)) == notebook_text(student)
    assert notebook_text(clean_notebook(nb)).count("answer = 42") == 1
