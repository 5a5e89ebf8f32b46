"""Functional: the two author commands on a tiny chapter in a temporary folder — the key
builder (runs the instructor notebook in record mode) and the student-notebook generator."""
import nbformat
import pytest

from crmlab.exercises import answers, check
from tools import generate, keys

pytestmark = pytest.mark.notebook   # the key builder and the runner start Jupyter kernels

SOLUTION = "### BEGIN SOLUTION\nanswer = sum(range(5))\n### END SOLUTION\ncheck('98.total', answer)"


def _chapter(tmp_path, toml='["98.total"]\nhint = "add 0 to 4"\nrtol = 0\n', code=SOLUTION):
    folder = tmp_path / "notebooks"
    (folder / "instructor").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 98 · Demo"),
                nbformat.v4.new_code_cell("from crmlab.exercises import check"),
                nbformat.v4.new_code_cell(code)]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="old output")]
    path = folder / "instructor" / "98_demo.ipynb"
    nbformat.write(nb, path)
    path.with_suffix(".exercises.toml").write_text(toml, encoding="utf-8")
    return folder


def test_functional_key_builder_and_generator(tmp_path, monkeypatch, capsys):
    folder = _chapter(tmp_path)
    monkeypatch.setattr(answers, "KEY_DIR", tmp_path)
    keys.build_key("98", folder=folder)
    key = answers.read_key("98")
    assert key["98.total"]["answer"] == {"kind": "number", "value": 10.0}   # 0+1+2+3+4
    assert key["98.total"]["hints"] == ["add 0 to 4"] and key["98.total"]["rtol"] == 0
    assert check("98.total", 10).status == "right" and check("98.total", 10.001).status == "wrong"

    assert generate.main(["--folder", str(folder), "--check"]) == 1        # no student notebook yet
    assert generate.main(["--folder", str(folder)]) == 0
    student = nbformat.read(folder / "98_demo.ipynb", as_version=4)
    assert student.cells[2].source == "# your code here\nanswer = ...\ncheck('98.total', answer)"
    source = nbformat.read(folder / "instructor" / "98_demo.ipynb", as_version=4)
    assert source.cells[2].outputs == [] and "sum(range(5))" in source.cells[2].source   # cleaned, solution kept
    before = (folder / "98_demo.ipynb").read_bytes()
    assert generate.main(["--folder", str(folder), "--check"]) == 0
    assert generate.main(["--folder", str(folder)]) == 0
    assert (folder / "98_demo.ipynb").read_bytes() == before                # regeneration is byte-identical


@pytest.mark.parametrize("toml, message", [
    ('["98.other"]\nhint = "h"\n', "never checked"),
    ('["98.total"]\nhint = ""\n', "non-empty hint"),
    ('["98.total"]\nhints = []\n', "non-empty hint"),
    ('["98.total"]\nhints = ["a", ""]\n', "non-empty hint"),
    ('["98.total"]\nhint = "a"\nhints = ["b"]\n', "both hint and hints"),
    ('["98.total"]\nhint = "h"\ncolour = 1\n', "unknown fields"),
    ('["97.total"]\nhint = "h"\n', "must start with '98.'"),
])
def test_functional_key_builder_refuses_bad_exercise_lists(tmp_path, monkeypatch, toml, message):
    monkeypatch.setattr(answers, "KEY_DIR", tmp_path)
    folder = _chapter(tmp_path, toml=toml)
    with pytest.raises((RuntimeError, ValueError), match=message):
        keys.build_key("98", folder=folder)
    assert not (tmp_path / "key_98.json").exists()


def test_functional_key_builder_refuses_unanswered_solution(tmp_path, monkeypatch):
    monkeypatch.setattr(answers, "KEY_DIR", tmp_path)
    folder = _chapter(tmp_path, code="answer = ...\ncheck('98.total', answer)")
    with pytest.raises(RuntimeError, match="did not run cleanly"):
        keys.build_key("98", folder=folder)


def test_functional_runner_reports_warnings_stderr_and_errors(tmp_path):
    from tools.run import execute

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import warnings\nwarnings.warn('careful')"),
                nbformat.v4.new_code_cell("import sys\nprint('to stderr', file=sys.stderr)"),
                nbformat.v4.new_code_cell("print('fine')"),
                nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    _, seconds, problems = execute(path, allow_errors=True)
    assert len(problems) == 3, problems
    assert "careful" in problems[0] and "to stderr" in problems[1] and "ZeroDivisionError" in problems[2]
    assert seconds < 60


def test_functional_key_builder_refuses_to_write_outside_the_repository(tmp_path, monkeypatch, capsys):
    # crmlab imported from somewhere else (an installed copy): the key would land there, not in the repo
    monkeypatch.setattr(answers, "KEY_DIR", tmp_path)
    with pytest.raises(SystemExit) as stop:
        keys.main(["00"])
    assert stop.value.code == 2
    assert "not from this repository" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_functional_tools_run_from_the_repository_root_as_modules_and_as_scripts(repo_root):
    import subprocess
    import sys

    for command in (["-m", "tools.generate", "--help"], ["tools/generate.py", "--help"],
                    ["-m", "tools.keys", "--help"], ["tools/keys.py", "--help"]):
        done = subprocess.run([sys.executable, *command], cwd=repo_root, capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
