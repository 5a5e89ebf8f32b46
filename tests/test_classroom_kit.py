"""The classroom kit (issue 13): a class in one command, the student file, sealed keys,
attempts, student editions, the truth an edition ships.

The end-to-end run (keys built per student by executing an instructor notebook, an
edition, grading three submissions) is in tests/notebooks/test_nb_framework_classroom.py.
"""
import hashlib
import json
import math
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from crmlab import data, student
from crmlab.exercises import answers, check
from crmlab.exercises.answers import normalise, read_key, seal_entry, sealed_match, write_key
from sim.classroom import make_class, read_class, read_roster, student_ids, student_seed

SMALL = {"customers": 300, "years": 1.0}


@pytest.fixture(autouse=True)
def _no_student(monkeypatch):
    """No student file or variable from the test machine leaks in."""
    monkeypatch.delenv(student.STUDENT_ENV, raising=False)
    monkeypatch.delenv(student.DATA_ENV, raising=False)
    monkeypatch.delenv("CRMLAB_ATTEMPTS", raising=False)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 1. a class in one command ------------------------------------------------------------------------

def test_unit_student_seed_is_the_documented_hash():
    digest = hashlib.sha256(b"crmlab-class/2025/s07").digest()
    assert student_seed(2025, "s07") == int.from_bytes(digest[:4], "big") % 2**31
    assert student_seed(2025, "s07") != student_seed(2026, "s07")
    assert student_ids(3) == ["s01", "s02", "s03"] and student_ids(120)[0] == "s001"


def test_unit_roster_reads_ids_and_refuses_bad_ones(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,student\nAnn,2024-017\nBo,2024-018\n", encoding="utf-8")
    assert read_roster(roster) == ["2024-017", "2024-018"]
    roster.write_text("student\nann\nANN\n", encoding="utf-8")
    with pytest.raises(ValueError, match="appear twice"):
        read_roster(roster)
    roster.write_text("student\n../etc\n", encoding="utf-8")
    with pytest.raises(ValueError, match="folder name"):
        read_roster(roster)
    with pytest.raises(ValueError, match="--students"):
        student_ids(0)


def test_functional_class_is_reproducible_byte_for_byte_and_seeds_ignore_roster_order(tmp_path):
    a = make_class(tmp_path / "a", ["s01", "s02"], 2025, workers=2, **SMALL)
    make_class(tmp_path / "b", ["s01", "s02"], 2025, workers=1, **SMALL)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    c = make_class(tmp_path / "c", ["s02", "x9"], 2025, workers=1, **SMALL)
    seeds = {s["student"]: s["seed"] for s in a["students"]}
    assert {s["student"]: s["seed"] for s in c["students"]}["s02"] == seeds["s02"] == student_seed(2025, "s02")
    assert _files(tmp_path / "a" / "s02" / "data") == _files(tmp_path / "c" / "s02" / "data")
    for sid in ("s01", "s02"):                       # each student's data card records their own seed
        card = json.loads((tmp_path / "a" / sid / "data" / "card.json").read_text())
        assert card["seed"] == seeds[sid] and card["customers"] == 300
    assert read_class(tmp_path / "a")["class_seed"] == 2025
    assert "| s01 | %d |" % seeds["s01"] in (tmp_path / "a" / "CLASS.md").read_text()


def test_functional_class_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        make_class(tmp_path / "other", ["s01"], 1, **SMALL)
    with pytest.raises(FileExistsError, match="not a class folder"):
        make_class(tmp_path / "other", ["s01"], 1, overwrite=True, **SMALL)
    make_class(tmp_path / "k", ["s01"], 1, workers=1, **SMALL)
    make_class(tmp_path / "k", ["s01"], 1, workers=1, overwrite=True, **SMALL)   # a class: replaced
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_functional_command_line_class_and_single_log(tmp_path):
    run = [sys.executable, "-m", "sim"]
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nann\nbo\n", encoding="utf-8")
    out = subprocess.run(run + ["class", "--roster", str(roster), "--seed", "3", "--customers", "300", "--years", "1",
                                "--out", str(tmp_path / "cls")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert sorted(s["student"] for s in read_class(tmp_path / "cls")["students"]) == ["ann", "bo"]
    assert student.read(tmp_path / "cls" / "bo").data == (tmp_path / "cls" / "bo" / "data").resolve()
    bad = subprocess.run(run + ["class", "--students", "2", "--seed", "3", "--out", str(tmp_path / "cls")],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "not empty" in bad.stderr
    single = subprocess.run(run + ["--scenario", "classroom", "--customers", "300", "--years", "1", "--seed", "7",
                                   "--out", str(tmp_path / "one")], cwd=ROOT, capture_output=True, text=True)
    assert single.returncode == 0, single.stderr
    assert json.loads((tmp_path / "one" / "card.json").read_text())["seed"] == 7


# -- the notebooks find the student's data -----------------------------------------------------------

def test_functional_classroom_reads_the_student_file_in_a_parent_folder(tmp_path, monkeypatch):
    make_class(tmp_path / "cls", ["s01"], 11, workers=1, **SMALL)
    shipped_seed = data.classroom().card["seed"]
    deep = tmp_path / "cls" / "s01" / "notebooks"
    deep.mkdir()
    monkeypatch.chdir(deep)
    assert data.classroom().card["seed"] == student_seed(11, "s01") != shipped_seed
    assert answers.key_folder() == (tmp_path / "cls" / "s01" / "keys").resolve()
    monkeypatch.chdir(tmp_path)
    assert data.classroom().card["seed"] == shipped_seed and answers.key_folder() == answers.KEY_DIR
    monkeypatch.setenv(student.STUDENT_ENV, str(tmp_path / "cls" / "s01"))
    assert data.classroom().card["seed"] == student_seed(11, "s01")
    monkeypatch.delenv(student.STUDENT_ENV)
    monkeypatch.setenv(student.DATA_ENV, str(tmp_path / "cls" / "s01" / "data"))
    assert data.classroom().card["seed"] == student_seed(11, "s01")
    assert answers.key_folder() == answers.KEY_DIR          # data only: the key stays the shipped one


def test_unit_student_file_errors_name_the_field(tmp_path):
    (tmp_path / student.CONFIG_NAME).write_text('student = "s1"\ncolour = "red"\n')
    with pytest.raises(ValueError, match="colour"):
        student.read(tmp_path)
    (tmp_path / student.CONFIG_NAME).write_text('student = "s1"\n')
    with pytest.raises(ValueError, match="'data' is missing"):
        student.read(tmp_path)


# -- sealed keys -----------------------------------------------------------------------------------------

SALT = "00" * 16


def _sealed(value, **tol):
    entry = seal_entry({"answer": normalise(value), "hints": ["h"], **tol}, SALT, iterations=1000)
    return {"salt": SALT, "iterations": 1000, **entry}


@pytest.mark.parametrize("expected", [0.3100539610619604, 1518.5, -46.72, 6.41e-5, 2.5e7])
def test_unit_sealed_number_accepts_within_tolerance_and_rejects_beyond_twice_it(expected):
    rtol = 0.002
    entry = _sealed(expected, rtol=rtol)
    for f in (1, 1 + rtol * 0.999, 1 - rtol * 0.999, 1 + rtol / 3):
        assert sealed_match(normalise(expected * f), entry), f
    # the grid accepts at most a factor (1 - rtol)^-2 ≈ 1 + 2·rtol away, never 3·rtol
    for f in (1 + 3 * rtol, 1 - 3 * rtol, 2, -1):
        assert not sealed_match(normalise(expected * f), entry), f


def test_unit_sealed_exact_numbers_texts_and_containers():
    assert sealed_match(normalise(1518), _sealed(1518.0, rtol=0))
    assert sealed_match(normalise(1518 + 1e-9), _sealed(1518.0, rtol=0))
    assert not sealed_match(normalise(1517), _sealed(1518.0, rtol=0))
    assert not sealed_match(normalise(1519), _sealed(1518.0, rtol=0))
    assert sealed_match(normalise(0.0), _sealed(0.0)) and sealed_match(normalise(1e-12), _sealed(0.0))
    assert not sealed_match(normalise(0.01), _sealed(0.0))
    assert sealed_match(normalise(" Grocery "), _sealed("grocery"))
    assert not sealed_match(normalise("household"), _sealed("grocery"))
    assert sealed_match(normalise(True), _sealed(True)) and not sealed_match(normalise(False), _sealed(True))
    assert sealed_match(normalise({"b", "a"}), _sealed({"a", "b"}))
    assert not sealed_match(normalise({"a", "c"}), _sealed({"a", "b"}))
    assert sealed_match(normalise([-55.351, -46.72]), _sealed([-55.35097813578827, -46.72036823], rtol=1e-3))
    assert not sealed_match(normalise([-46.72, -55.351]), _sealed([-55.35097813578827, -46.72036823], rtol=1e-3))
    key = {"change": 5.882946722387096, "could_be_noise": True}
    assert sealed_match(normalise({"change": 5.8829, "could_be_noise": True}), _sealed(key))
    assert not sealed_match(normalise({"change": 5.8829, "could_be_noise": False}), _sealed(key))
    assert not sealed_match(normalise({"shift": 5.8829, "could_be_noise": True}), _sealed(key))


def test_unit_sealed_exact_container_is_one_digest_and_a_big_one_checks_quickly():
    import time

    ids = set(range(1000, 1109))
    entry = _sealed(ids, rtol=0)
    assert set(entry["sealed"]) == {"kind", "n", "whole"} and entry["sealed"]["n"] == 109
    assert sealed_match(normalise(sorted(ids, reverse=True)), _sealed(sorted(ids, reverse=True), rtol=0))
    assert sealed_match(normalise(ids), entry)
    assert not sealed_match(normalise(ids - {1000} | {999}), entry)
    assert not sealed_match(normalise(ids - {1000}), entry)
    tolerant = seal_entry({"answer": normalise(ids), "hints": ["h"], "rtol": 1e-3}, SALT)   # item by item
    assert tolerant["iterations"] == 2000 and len(tolerant["sealed"]["items"]) == 109
    t0 = time.perf_counter()
    assert sealed_match(normalise(ids), {**tolerant, "salt": SALT})
    assert time.perf_counter() - t0 < 1.0


def test_functional_check_with_a_sealed_key_gives_verdicts_hints_and_records_attempts(tmp_path, monkeypatch):
    from crmlab.exercises import _wrong_attempts

    plain = tmp_path / "plain"
    write_key("97", {"97.count": {"answer": normalise(30), "rtol": 0, "hints": ["concept", "method", "code"]},
                     "97.share": {"answer": normalise(0.2888), "rtol": 0.005, "hints": ["one step"]}},
              source="test", folder=plain)
    answers.seal_key("97", plain, tmp_path / "keys", iterations=2000)
    student.write(tmp_path, "s42")
    monkeypatch.chdir(tmp_path)
    _wrong_attempts.clear()
    assert check("97.count", 30).status == "right"
    first = check("97.count", 31)
    assert first.status == "wrong" and "Hint 1 of 3: concept" in first.message and "Hint 2" not in first.message
    assert "Hint 2 of 3: method" in check("97.count", 29).message
    assert check("97.count", "thirty").message.startswith("Expected a number, got a text")
    assert check("97.share", 0.2888 * 1.004).status == "right"
    assert check("97.share", ...).status == "not answered"
    lines = [json.loads(x) for x in (tmp_path / "attempts.jsonl").read_text().splitlines()]
    assert [(r["id"], r["verdict"]) for r in lines] == [
        ("97.count", "right"), ("97.count", "wrong"), ("97.count", "wrong"), ("97.count", "wrong"),
        ("97.share", "right"), ("97.share", "not answered")]
    assert lines[1]["answer"] == {"kind": "number", "value": 31.0} and lines[-1]["answer"] is None
    assert all(r["student"] == "s42" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", r["time"])
               for r in lines)


def _numbers(value):
    """Every number and text inside a normalised answer."""
    kind, v = value["kind"], value["value"]
    if kind in ("list", "set"):
        return [x for item in v for x in _numbers(item)]
    if kind == "dict":
        return list(v) + [x for item in v.values() for x in _numbers(item)]
    return [v]


def assert_no_decodable_answer(sealed_file, plain_entries):
    """The sealed key file gives no answer: not by read_key, not by decoding, not in its text."""
    text = sealed_file.read_text(encoding="utf-8")
    entries = read_key(sealed_file.name[4:6], sealed_file.parent)
    assert all("answer" not in e and "sealed" in e for e in entries.values())
    raw = json.loads(text)
    for blob in raw["exercises"].values():
        with pytest.raises(Exception):
            answers.decode_entry(blob)                     # not base64 + zlib JSON as the plain key is
    # outside the hints and praise (which authors write for students), no answer value appears in any form
    stripped = json.dumps([{f: v for f, v in e.items() if f not in ("hints", "praise", "hints_zh", "praise_zh")}
                           for e in raw["exercises"].values()])
    for ex_id, entry in plain_entries.items():
        for v in _numbers(entry["answer"]):
            if isinstance(v, bool) or (isinstance(v, float) and v in (0.0, 1.0)):
                continue
            forms = {str(v)} if isinstance(v, str) else {repr(v), f"{v:g}", f"{v:.3f}", f"{v:.2f}"}
            if isinstance(v, float) and v.is_integer():
                forms.add(str(int(v)))
            for form in forms:
                if len(form) >= 3:
                    assert not re.search(rf"(?<![0-9a-f]){re.escape(form)}(?![0-9a-f])", stripped), (ex_id, form)


def test_functional_sealed_shipped_keys_hide_every_answer_and_keep_every_verdict(tmp_path):
    for chapter in ("04", "07"):
        plain = read_key(chapter)
        path = answers.seal_key(chapter, answers.KEY_DIR, tmp_path, iterations=1000)
        assert_no_decodable_answer(path, plain)
        sealed = read_key(chapter, tmp_path)
        for ex_id, entry in plain.items():
            assert sealed_match(entry["answer"], sealed[ex_id]), ex_id


# -- the truth an edition ships ------------------------------------------------------------------------

def _truth_columns_read_by(notebook):
    nb = nbformat.read(notebook, as_version=4)
    src = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = set(answers_truth_columns())
    used = set()
    for m in re.finditer(r"truth", src):
        used |= {n for n in re.findall(r"""["'](\w+)["']""", src[m.end():m.end() + 120]) if n in names}
    return used


def answers_truth_columns():
    from crmlab import schema

    return schema.table("truth").names


def test_functional_every_truth_column_a_chapter_reads_is_shipped():
    from tools.edition import SHIPPED_TRUTH, WITHHELD_TRUTH

    assert set(SHIPPED_TRUTH) | set(WITHHELD_TRUTH) == set(answers_truth_columns())
    assert {"lambda", "p_dropout", "frailty", "spend_nu", "mean_spend"} <= set(WITHHELD_TRUTH)
    for notebook in sorted((ROOT / "notebooks" / "instructor").glob("[0-9][0-9]_*.ipynb")):
        missing = _truth_columns_read_by(notebook) - set(SHIPPED_TRUTH)
        assert not missing, (f"{notebook.name} reads truth columns {sorted(missing)} that a student edition blanks: "
                             "add them to tools.edition.SHIPPED_TRUTH if a chapter scores against them "
                             "(and say so in AUTHORING.md), or do not use them")


#: exercise answers that equal a simple statistic of a shipped truth column, and why that is no leak
EXPECTED_COINCIDENCES = {
    "00.customers": "the number of customers: the customers table shows it too (observable, not latent)",
    "01.referral_share": "0.602 = mean final satisfaction by chance: the answer is the scenario's referral share",
    "04.champion_money_mid2025": "0.310 = mean switching cost of the acquired by chance: a share of RFM money",
    "09.care_uplift": "4.0 % profit uplift of a market experiment ≈ mean cost to serve 3.99 by chance (other runs)",
    "12.capstone_segment": "100 customers in the capstone's segment = 100 % of the acquired are acquired, by chance",
}


def test_functional_no_exercise_answer_can_be_read_off_the_shipped_truth(classroom_log):
    """Sum, mean, median, min, max, count and share of every shipped truth column (all people, and
    the acquired) against every numeric answer of the shipped keys, within the exercise's tolerance."""
    from tools.edition import SHIPPED_TRUTH

    truth = classroom_log.truth
    stats = {}
    for col in SHIPPED_TRUTH[1:]:
        values = truth[col]
        if np.issubdtype(values.dtype, np.datetime64):
            continue
        values = values.astype(float)
        for who, mask in (("all", np.ones(len(truth), bool)), ("acquired", truth["acquired"].to_numpy())):
            v = values[mask].dropna()
            for name, x in (("sum", v.sum()), ("mean", v.mean()), ("median", v.median()), ("min", v.min()),
                            ("max", v.max()), ("nonzero", (v != 0).sum()), ("percent", 100 * v.mean())):
                stats[f"{col}.{who}.{name}"] = float(x)
    hits = {}
    for key_file in sorted(answers.KEY_DIR.glob("key_*.json")):
        for ex_id, entry in read_key(key_file.stem[4:]).items():
            if entry["answer"]["kind"] != "number":
                continue
            x = entry["answer"]["value"]
            tol = entry.get("atol", 1e-9) + entry.get("rtol", 1e-3) * abs(x)
            found = [n for n, s in stats.items() if math.isfinite(s) and abs(s - x) <= tol]
            if found:
                hits[ex_id] = found
    unexplained = {k: v for k, v in hits.items() if k not in EXPECTED_COINCIDENCES}
    assert not unexplained, f"answers readable off the shipped truth: {unexplained}"


# -- end to end: keys per student, an edition, three submissions graded ------------------------------------

E2E = {"customers": 1500, "years": 3.0}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A class of three (1,500 customers × 3 years each) with each student's chapter-04 key built
    by executing the instructor notebook against that student's data (two kernels at a time)."""
    from tools.keys import build_class_keys

    root = tmp_path_factory.mktemp("kit") / "cls"
    make_class(root, ["s01", "s02", "s03"], 2025, workers=2, **E2E)
    assert build_class_keys(root, ["04"], workers=2) == []
    return root


def _plain_value(normalised):
    from crmlab.grade import _plain

    return _plain(normalised)


@pytest.mark.notebook
def test_functional_keys_follow_each_students_data(graded_class):
    keys = {sid: read_key("04", graded_class / sid / "keys") for sid in ("s01", "s02", "s03")}
    assert all(set(k) == set(read_key("04")) for k in keys.values())
    for sid, key in keys.items():                    # the count of 555 customers, computed here from their data
        from crmlab import rfm

        log = data.load(graded_class / sid / "data")
        as_of = log.card["observation_end"]
        expected = int((rfm.rfm_table(log.transactions, as_of=as_of)["cell"] == "555").sum())
        assert key["04.rfm_cells"]["answer"]["value"] == expected, sid


@pytest.mark.notebook
def test_functional_edition_holds_what_the_student_needs_and_no_answer(graded_class, tmp_path, monkeypatch):
    import zipfile

    from tools import edition

    assert edition.main([str(graded_class), "--out", str(tmp_path / "ed"), "--students", "s01",
                         "--chapters", "04"]) == 0
    folder = tmp_path / "ed" / "s01"
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert "notebooks/04_rfm.ipynb" in names and "keys/key_04.json" in names and "README.md" in names
    assert not [n for n in names if "instructor" in n or n.endswith(".toml") and n != student.CONFIG_NAME]
    with zipfile.ZipFile(tmp_path / "ed" / "s01.zip") as zf:
        assert sorted(n.split("/", 1)[1] for n in zf.namelist()) == names
    student_nb = nbformat.read(folder / "notebooks" / "04_rfm.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in "".join(c.source for c in student_nb.cells)
    # the data: the student's own orders, latent truth blanked, the seed withheld
    own, shipped = data.load(graded_class / "s01" / "data"), data.load(folder / "data")
    assert shipped.transactions.equals(own.transactions)
    for col in edition.WITHHELD_TRUTH:
        assert (shipped.truth[col].isna() | (shipped.truth[col] == False)).all(), col  # noqa: E712
    for col in edition.SHIPPED_TRUTH:
        assert shipped.truth[col].equals(own.truth[col]), col
    assert shipped.card["seed"] == "withheld" and own.card["seed"] == student_seed(2025, "s01")
    # the key: no decodable answer, and still the right verdicts for this student's data
    plain = read_key("04", graded_class / "s01" / "keys")
    assert_no_decodable_answer(folder / "keys" / "key_04.json", plain)
    monkeypatch.chdir(folder / "notebooks")
    right = _plain_value(plain["04.rfm_cells"]["answer"])
    assert check("04.rfm_cells", right).status == "right"
    assert check("04.rfm_cells", right + 1).status == "wrong"
    assert check("04.champion_money_mid2025",
                 plain["04.champion_money_mid2025"]["answer"]["value"] * 1.004).status == "right"
    assert data.classroom().card["seed"] == "withheld"
    recorded = [json.loads(x) for x in (folder / "attempts.jsonl").read_text().splitlines()]
    assert [r["verdict"] for r in recorded] == ["right", "wrong", "right"]


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.mark.notebook
def test_functional_gradebook_of_three_submissions(graded_class, tmp_path):
    import csv

    from crmlab.grade import grade

    subs = tmp_path / "submissions"
    # s01 hands in the worked solutions: all right
    (subs / "s01").mkdir(parents=True)
    (subs / "s01" / "04_rfm.ipynb").write_bytes((ROOT / "notebooks" / "instructor" / "04_rfm.ipynb").read_bytes())
    # s02, a lone notebook: two right, two wrong, one not answered
    k2 = {ex: _plain_value(e["answer"]) for ex, e in read_key("04", graded_class / "s02" / "keys").items()}
    _notebook(subs / "s02__04_rfm.ipynb", [
        "from crmlab.exercises import check",
        f"check('04.breakeven', {k2['04.breakeven']!r})",
        f"check('04.hand_scores', {k2['04.hand_scores']!r})",
        f"check('04.rfm_cells', {k2['04.rfm_cells'] + 1!r})",
        f"check('04.champion_money_mid2025', {k2['04.champion_money_mid2025'] * 2!r})",
        "check('04.rollout_cells', ...)"])
    # s03 raises in its third cell; handed in as a zip of the folder
    import shutil

    k3 = {ex: _plain_value(e["answer"]) for ex, e in read_key("04", graded_class / "s03" / "keys").items()}
    _notebook(tmp_path / "zipped" / "s03" / "notebooks" / "04_rfm.ipynb", [
        "from crmlab.exercises import check",
        f"check('04.breakeven', {k3['04.breakeven']!r})",
        "raise ValueError('boom')",
        f"check('04.rfm_cells', {k3['04.rfm_cells']!r})"])
    shutil.make_archive(str(subs / "s03"), "zip", tmp_path / "zipped", "s03")
    rows = grade(subs, tmp_path / "gradebook.csv", class_folder=graded_class, workers=2)
    with open(tmp_path / "gradebook.csv", newline="") as fh:
        assert list(csv.DictReader(fh)) == [{k: str(v) for k, v in r.items()} for r in rows]
    book = {(r["student"], r["exercise"]): r for r in rows}
    exercises = sorted(read_key("04"))
    assert [r["exercise"] for r in rows if r["student"] == "s01"] == exercises + ["TOTAL"]
    assert all(book["s01", ex]["verdict"] == "right" for ex in exercises)
    assert book["s01", "TOTAL"]["verdict"] == "5/5 right" and book["s01", "TOTAL"]["flag"] == ""
    assert {ex: book["s02", ex]["verdict"] for ex in exercises} == {
        "04.breakeven": "right", "04.hand_scores": "right", "04.rfm_cells": "wrong",
        "04.champion_money_mid2025": "wrong", "04.rollout_cells": "not answered"}
    assert book["s02", "04.rfm_cells"]["answer"] == json.dumps(float(k2["04.rfm_cells"] + 1))
    assert book["s02", "TOTAL"]["points"] == 2 and book["s02", "04.rfm_cells"]["attempts"] == 1
    assert book["s03", "04.breakeven"]["verdict"] == "right"
    assert book["s03", "04.rfm_cells"]["verdict"] == "not reached"
    assert book["s03", "TOTAL"]["verdict"] == "1/5 right"
    assert "stopped at code cell 3: ValueError: boom" in book["s03", "TOTAL"]["flag"]
    assert book["s03", "04.breakeven"]["flag"] == "ran partly"


@pytest.mark.notebook
def test_functional_gradebook_from_recorded_attempts_checks_them_again(graded_class, tmp_path):
    from crmlab.grade import grade

    k1 = read_key("04", graded_class / "s01" / "keys")
    hand_in = tmp_path / "subs" / "s01"
    hand_in.mkdir(parents=True)
    (hand_in / "04_rfm.ipynb").write_bytes((ROOT / "notebooks" / "04_rfm.ipynb").read_bytes())
    student.write(hand_in, "s01")
    answers.seal_key("04", graded_class / "s01" / "keys", hand_in / "keys", iterations=2000)
    wrong = {"kind": "number", "value": k1["04.rfm_cells"]["answer"]["value"] + 5}
    lines = [{"id": "04.rfm_cells", "verdict": "wrong", "answer": wrong},
             {"id": "04.rfm_cells", "verdict": "right", "answer": k1["04.rfm_cells"]["answer"]},
             {"id": "04.breakeven", "verdict": "right", "answer": wrong}]          # a forged verdict
    (hand_in / "attempts.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"id": "04.br')
    rows = grade(tmp_path / "subs", tmp_path / "book.csv", use_attempts=True)   # the hand-in's sealed key
    book = {r["exercise"]: r for r in rows}
    assert book["04.rfm_cells"]["verdict"] == "right" and book["04.rfm_cells"]["attempts"] == 2
    assert book["04.breakeven"]["verdict"] == "wrong"
    assert book["04.hand_scores"]["verdict"] == "not reached"
    assert book["TOTAL"]["verdict"] == "1/5 right"
