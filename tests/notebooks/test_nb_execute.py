"""Functional: every chapter notebook (student and instructor) runs top to bottom in a
fresh kernel with no error, stderr or warning output, in under 60 s; in an instructor
notebook every self-check says *right* (a stale answer key fails here) and covers every
exercise of the key; in a student notebook every self-check says *not answered yet*.

Parametrized over the notebooks found, so every chapter is covered automatically.
"""

import pytest

from nb_helpers import all_notebooks, notebook_id, read_log

from crmlab.exercises import LOG_ENV, RECORD_ENV
from crmlab.exercises.answers import read_key
from tools.run import execute

NOTEBOOK_LIMIT_S = 60


@pytest.mark.notebook
@pytest.mark.parametrize("path", all_notebooks(), ids=notebook_id)
def test_notebook_runs_clean(path, tmp_path, monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    log = tmp_path / "checks.jsonl"
    nb, seconds, problems = execute(path, env={LOG_ENV: str(log)})
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)
    assert seconds < NOTEBOOK_LIMIT_S, f"{path.name} took {seconds:.1f} s (limit {NOTEBOOK_LIMIT_S} s)"
    checks = read_log(log)
    chapter = path.name[:2]
    key = read_key(chapter)
    assert key is not None, f"no answer key for chapter {chapter}: python -m tools.keys {chapter}"
    assert checks, f"{path.name} calls no self-check"
    if path.parent.name == "instructor":
        not_right = [c for c in checks if c["status"] != "right"]
        assert not not_right, (f"{path.name}: self-checks not right with the worked solution (stale key? "
                               f"rebuild: python -m tools.keys {chapter}): {not_right}")
        assert {c["id"] for c in checks} == set(key), "instructor notebook must check every exercise of its key"
    else:
        assert {c["status"] for c in checks} == {"not answered"}, checks
        assert {c["id"] for c in checks} == set(key)
