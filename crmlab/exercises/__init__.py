"""Self-check exercises for the chapter notebooks.

A student writes an answer and calls :func:`check`::

    from crmlab.exercises import check
    answer = ...            # your code here
    check("04.rfm_cells", answer)

and gets one of three messages: *right*, *not quite* (with a hint), or *not
answered yet* (while ``answer`` is still ``...``), so a fresh notebook runs top
to bottom. In Jupyter the message is a small coloured box; elsewhere plain text.

Hints come in steps — the concept, then the method, then the code: the first
wrong answer to an exercise shows step 1, the next wrong answer steps 1–2, and
so on (counted per exercise in the running kernel; a restart starts again).

The expected answers live in ``crmlab/exercises/key_NN.json`` (one file per
chapter, encoded — see :mod:`crmlab.exercises.answers`); they are package data, so
``check`` works from an installed package. Authors rebuild a key from the worked
solutions of the instructor notebook with ``python -m tools.keys NN``, run from the
repository root; the student notebooks are generated with ``python -m tools.generate``
(see ``notebooks/AUTHORING.md``; ``tools/`` is not part of the installed package).

Two environment variables are for authors and tests, not students:

``CRMLAB_EXERCISE_RECORD=<file>``
    record mode: every ``check`` call appends the normalised answer to the file
    (JSON lines) instead of checking it; used by the key builder.
``CRMLAB_EXERCISE_LOG=<file>``
    every ``check`` call appends ``{"id": ..., "status": ...}`` to the file; the
    tests use it to prove that every exercise of an instructor notebook says *right*.

In a class (see :mod:`crmlab.student`), the key comes from the student's own
``keys`` folder (a plain key at the instructor's, a *sealed* one — digests, no
answers — in a student edition), and every ``check`` call appends the attempt
``{"id", "verdict", "time", "answer", "student"}`` to the student's
``attempts.jsonl`` (or to ``$CRMLAB_ATTEMPTS``, which the grader sets).
"""
from __future__ import annotations

import html
import json
import os

import datetime as _dt

from crmlab.exercises import messages
from crmlab.exercises.answers import (DEFAULT_ATOL, DEFAULT_RTOL, AnswerTypeError, NotAnswered,
                                      answers_match, describe_answer, describe_sealed, normalise, read_key,
                                      sealed_match)

__all__ = ["check", "CheckResult"]

RECORD_ENV = "CRMLAB_EXERCISE_RECORD"
LOG_ENV = "CRMLAB_EXERCISE_LOG"
ATTEMPTS_ENV = "CRMLAB_ATTEMPTS"

_STYLE = {  # status: (symbol, title, border colour, background colour)
    "right": ("✔", "Right!", "#2e7d32", "#e8f5e9"),
    "wrong": ("✘", "Not quite.", "#c62828", "#ffebee"),
    "not answered": ("…", "Not answered yet.", "#757575", "#f5f5f5"),
    "no key": ("?", "No answer key.", "#ef6c00", "#fff3e0"),
    "unknown exercise": ("?", "Unknown exercise.", "#ef6c00", "#fff3e0"),
    "recorded": ("●", "Recorded for the answer key.", "#1565c0", "#e3f2fd"),
}


class CheckResult:
    """The outcome of one :func:`check` call.

    Attributes
    ----------
    exercise : str
        Exercise id, e.g. ``"04.rfm_cells"``.
    status : str
        ``"right"``, ``"wrong"``, ``"not answered"``, ``"no key"``,
        ``"unknown exercise"`` or ``"recorded"``.
    message : str
        What to do next (the hint when wrong).

    ``bool(result)`` is True only when the answer is right.
    """

    def __init__(self, exercise: str, status: str, message: str):
        self.exercise = exercise
        self.status = status
        self.message = message
        self._shown_by_check = False

    def __bool__(self) -> bool:
        return self.status == "right"

    def text(self) -> str:
        symbol, title = _STYLE[self.status][0], messages.text(f"title.{self.status}")
        return f"{symbol} [{self.exercise}] {title} {self.message}".rstrip()

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        symbol, _, border, background = _STYLE[self.status]
        title = messages.text(f"title.{self.status}")
        return (f'<div style="border-left:6px solid {border};background:{background};'
                f'padding:6px 12px;margin:4px 0;font-size:1.05em">'
                f'<b>{symbol} {html.escape(title)}</b> '
                f'<span style="color:#555">[{html.escape(self.exercise)}]</span><br>'
                f'{html.escape(self.message).replace(chr(10), "<br>")}</div>')

    def _ipython_display_(self) -> None:
        # check() has already shown this result; when it is also the value of the
        # cell's last line, IPython asks again: show it once, not twice.
        if self._shown_by_check:
            self._shown_by_check = False
            return
        from IPython.display import display
        display({"text/plain": self.text(), "text/html": self._repr_html_()}, raw=True)


def _append_jsonl(path: str, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


#: wrong answers so far per exercise id, in this kernel (how many hint steps to show)
_wrong_attempts: dict[str, int] = {}


def hint_steps(entry: dict) -> list[str]:
    """The hint steps of a key entry (a key built before staged hints has one ``hint``)."""
    return list(entry["hints"]) if "hints" in entry else [entry["hint"]]


def _hints(exercise: str, entry: dict) -> str:
    """Count one more wrong answer to ``exercise`` and return the hint steps it has earned.

    >>> _wrong_attempts.clear()
    >>> entry = {"hints": ["the concept", "the method", "the code"]}
    >>> _hints("99.x", entry)
    'Hint 1 of 3: the concept'
    >>> print(_hints("99.x", entry))
    Hint 1 of 3: the concept
    Hint 2 of 3: the method
    """
    steps = messages.hint_steps(entry)
    shown = min(_wrong_attempts.get(exercise, 0) + 1, len(steps))
    _wrong_attempts[exercise] = shown
    if len(steps) == 1:
        return messages.text("hint.one", step=steps[0])
    return "\n".join(messages.text("hint.step", k=k, n=len(steps), step=step)
                     for k, step in enumerate(steps[:shown], start=1))


def _evaluate(exercise: str, answer) -> CheckResult:
    if not isinstance(exercise, str) or "." not in exercise:
        return CheckResult(str(exercise), "unknown exercise", messages.text("bad id"))
    chapter = exercise.split(".", 1)[0]
    record_file = os.environ.get(RECORD_ENV)
    if record_file:
        try:
            value = normalise(answer)
        except NotAnswered:
            raise RuntimeError(f"record mode: exercise {exercise} has no answer (still `...`) "
                               "in the instructor notebook") from None
        _append_jsonl(record_file, {"id": exercise, "answer": value})
        return CheckResult(exercise, "recorded", "")
    key = read_key(chapter)
    if key is None:
        return CheckResult(exercise, "no key",
                           messages.text("no key", chapter=chapter))
    if exercise not in key:
        known = ", ".join(sorted(key))
        return CheckResult(exercise, "unknown exercise",
                           messages.text("unknown id", chapter=chapter, known=known))
    entry = key[exercise]
    try:
        given = normalise(answer)
    except NotAnswered:
        return CheckResult(exercise, "not answered", messages.text("not answered"))
    except AnswerTypeError as err:
        return CheckResult(exercise, "wrong", f"{err}\n{_hints(exercise, entry)}")   # err ends with its full stop
    sealed = "sealed" in entry                  # a student edition's key: digests, not answers
    expected = entry["sealed"] if sealed else entry["answer"]
    if given["kind"] != expected["kind"]:
        expected_words = describe_sealed(expected) if sealed else describe_answer(expected)
        return CheckResult(exercise, "wrong",
                           messages.text("expected", expected=expected_words, given=describe_answer(given)) + "\n"
                           f"{_hints(exercise, entry)}")
    if sealed:
        right = sealed_match(given, entry)
    else:
        right = answers_match(given, expected, rtol=entry.get("rtol", DEFAULT_RTOL),
                              atol=entry.get("atol", DEFAULT_ATOL))
    if right:
        return CheckResult(exercise, "right", messages.praise(entry))
    return CheckResult(exercise, "wrong", _hints(exercise, entry))


def _answer_for_record(answer):
    """The answer as plain JSON for the attempts file (``None`` when not answered or not checkable)."""
    try:
        return normalise(answer)
    except (NotAnswered, AnswerTypeError):
        return None


def _record_attempt(result: CheckResult, answer) -> None:
    """Append the attempt to ``$CRMLAB_ATTEMPTS`` or the student's ``attempts.jsonl`` (if in a class)."""
    if result.status == "recorded":
        return
    path = os.environ.get(ATTEMPTS_ENV)
    student_id = None
    if not path:
        from crmlab import student

        try:
            found = student.find()
        except (OSError, ValueError):
            return                    # a broken student file: check() still answers; data loading reports it
        if found is None:
            return
        path, student_id = str(found.attempts), found.id
    record = {"id": result.exercise, "verdict": result.status, "answer": _answer_for_record(answer),
              "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "student": student_id}
    try:
        _append_jsonl(path, record)
    except OSError:
        pass                          # a read-only folder must not break the notebook


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def check(exercise: str, answer) -> CheckResult:
    """Check a student's answer to an exercise, show the verdict and return it.

    Parameters
    ----------
    exercise : str
        The exercise id ``"NN.name"`` printed in the notebook, e.g. ``"03.clv_5y"``.
    answer : number, str, bool, list, set, dict, Series or ``...``
        The student's answer; ``...`` means not answered yet.

    Returns
    -------
    CheckResult
        Shown as a coloured box in Jupyter (text elsewhere); ``bool(result)`` is
        True when right.

    Examples
    --------
    >>> check("00.customers", ...)        # doctest: +SKIP
    … [00.customers] Not answered yet. Replace the `...` with your code or number, then run the cell again.
    """
    result = _evaluate(exercise, answer)
    log_file = os.environ.get(LOG_ENV)
    if log_file:
        _append_jsonl(log_file, {"id": exercise, "status": result.status})
    _record_attempt(result, answer)
    if _in_ipython():
        result._ipython_display_()
        result._shown_by_check = True
    else:
        print(result.text())
    return result
