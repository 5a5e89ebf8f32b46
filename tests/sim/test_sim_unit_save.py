"""Saving never loses data (issue 9, "data loss"): one test per class of loss.

* overwrite replaces only a saved log or an empty folder — never another folder,
  the working folder or its parents, nor a file;
* a save killed between its two renames: load puts the old log back;
* a save killed midway: the next save removes its hidden temporary folder;
* a changed byte, a corrupt card, a missing or swapped table: a clear error naming the file;
* the command line names its own flag, ``--overwrite``.
"""
import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import crmlab.data
import sim
from crmlab import logfolder
from crmlab.schema import TABLES


@pytest.fixture(scope="module")
def log():
    return sim.simulate("classroom", customers=150, years=1, seed=3)


def _tree(folder):
    """Every file under ``folder`` with its bytes (to show a folder untouched)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_overwrite_refuses_folders_that_are_not_saved_logs(log, tmp_path):
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me")
    (mine / "sub" / "data.csv").write_text("a,b\n1,2\n")
    before = _tree(mine)
    with pytest.raises(FileExistsError, match=r"not a saved crmlab event log \(it has no card.json\)"):
        log.save(mine, overwrite=True)
    assert _tree(mine) == before
    # a saved log with a file of the user's in it is not only a log: refused too, naming the file
    saved = tmp_path / "saved"
    log.save(saved)
    (saved / "my_analysis.ipynb").write_text("{}")
    with pytest.raises(FileExistsError, match=r"it also holds my_analysis\.ipynb"):
        log.save(saved, overwrite=True)
    assert (saved / "my_analysis.ipynb").read_text() == "{}"
    # a card that does not say it is an event log
    (mine / "card.json").write_text('{"title": "my own card"}')
    with pytest.raises(FileExistsError, match="does not say it is a crmlab event log"):
        log.save(mine, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "saved"]      # no hidden folders left


def test_overwrite_refuses_the_working_folder_and_its_parents(log, tmp_path, monkeypatch):
    work = tmp_path / "course" / "work"
    work.mkdir(parents=True)
    (work / "notebook.ipynb").write_text("{}")
    monkeypatch.chdir(work)
    for target in (work, work.parent, tmp_path, "."):
        with pytest.raises(FileExistsError, match="working folder or one of its parents"):
            log.save(target, overwrite=True)
    assert (work / "notebook.ipynb").read_text() == "{}"
    empty = tmp_path / "empty_here"
    empty.mkdir()
    monkeypatch.chdir(empty)
    with pytest.raises(FileExistsError, match="working folder"):      # even an empty working folder
        log.save(empty)
    # the command line the issue found: --out <parent of the working folder> --overwrite
    cmd = [sys.executable, "-m", "sim", "--customers", "100", "--years", "1", "--out", "..", "--overwrite"]
    done = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    assert done.returncode == 2 and "working folder or one of its parents" in done.stderr
    assert (work / "notebook.ipynb").read_text() == "{}"


def test_overwrite_replaces_a_saved_log_or_an_empty_folder(log, tmp_path):
    other = sim.simulate("classroom", customers=120, years=1, seed=5)
    target = tmp_path / "log"
    log.save(target)
    other.save(target, overwrite=True)
    assert len(crmlab.data.load(target).customers) == 120
    empty = tmp_path / "empty"
    empty.mkdir()
    log.save(empty, overwrite=True)
    assert len(crmlab.data.load(empty).customers) == 150
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "log"]


def test_saving_over_a_file_is_refused_and_the_file_untouched(log, tmp_path):
    file = tmp_path / "report.xlsx"
    file.write_bytes(b"my spreadsheet")
    for overwrite in (False, True):
        with pytest.raises(FileExistsError, match="is a file, not an event log folder"):
            log.save(file, overwrite=overwrite)
    assert file.read_bytes() == b"my spreadsheet"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]        # not moved to a hidden .old folder


_KILLED_SAVE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import sim
    log = sim.simulate("classroom", customers=120, years=1, seed=5)
    when = sys.argv[2]
    if when == "between renames":        # die right after the old log was moved aside
        rename = Path.rename
        def dying_rename(self, target):
            out = rename(self, target)
            if ".old-" in str(target):
                os.kill(os.getpid(), signal.SIGKILL)
            return out
        Path.rename = dying_rename
    else:                                # die after writing the first table
        to_parquet = __import__("pandas").DataFrame.to_parquet
        def dying_to_parquet(self, path, **kw):
            to_parquet(self, path, **kw)
            os.kill(os.getpid(), signal.SIGKILL)
        __import__("pandas").DataFrame.to_parquet = dying_to_parquet
    log.save(sys.argv[1], overwrite=True)
""")


def _killed_save(target, when):
    done = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(target), when], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr                    # killed, as planned


@pytest.mark.slow                                                 # kills real saves in subprocesses
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_save_killed_between_its_renames_loses_nothing(log, tmp_path):
    target = tmp_path / "log"
    log.save(target)
    _killed_save(target, "between renames")
    assert not target.exists()                                    # the window the issue found
    back = crmlab.data.load(target)                               # load puts the old, complete log back
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(log, name))
    assert target.is_dir() and not list(tmp_path.glob(".log.old-*"))
    # sim.load and the next save recover it the same way
    _killed_save(target, "between renames")
    assert len(sim.load(target).customers) == 150
    _killed_save(target, "between renames")
    with pytest.raises(FileExistsError, match="not empty"):       # the old log is there again, so not replaced
        log.save(target)
    log.save(target, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["log"]        # and the killed saves' folders are gone


@pytest.mark.slow                                                 # kills real saves in subprocesses
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_the_next_save_removes_temporary_folders_of_killed_saves(log, tmp_path):
    target = tmp_path / "log"
    _killed_save(target, "midway")
    first = [p.name for p in tmp_path.glob(".log.tmp-*")]
    assert len(first) == 1 and not target.exists()                # the folder the issue found left forever
    _killed_save(target, "midway")                                # the next save removes it (and leaves its own)
    second = [p.name for p in tmp_path.glob(".log.tmp-*")]
    assert len(second) == 1 and second != first
    # hidden folders that are not a dead save's own: a live process's, another log's, one holding a user file
    live = tmp_path / f".log.tmp-{os.getpid()}-running"
    other_log = tmp_path / f".other.tmp-{_dead_pid()}-x"
    foreign = tmp_path / f".log.tmp-{_dead_pid()}-y"
    for folder in (live, other_log, foreign):
        folder.mkdir()
    (foreign / "thesis.docx").write_text("mine")
    log.save(target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["log", live.name, other_log.name, foreign.name])
    assert (foreign / "thesis.docx").read_text() == "mine"


def test_a_changed_byte_in_a_table_is_refused_naming_the_file(log, tmp_path):
    target = tmp_path / "log"
    log.save(target)
    file = target / "transactions.parquet"
    data = bytearray(file.read_bytes())
    data[len(data) // 3] ^= 0x01
    file.write_bytes(bytes(data))
    for loader in (crmlab.data.load, sim.load):
        with pytest.raises(crmlab.data.LoadError, match=r"transactions\.parquet: checksum does not match card\.json"):
            loader(target)


def test_a_corrupt_card_is_an_error_naming_its_path(log, tmp_path):
    target = tmp_path / "log"
    log.save(target)
    card = target / "card.json"
    card.write_text(card.read_text()[:-20])                       # cut short
    for loader in (crmlab.data.load, sim.load):
        with pytest.raises(crmlab.data.LoadError, match=rf"{card}.* is not a readable data card"):
            loader(target)
    card.write_text("[1, 2]")
    with pytest.raises(crmlab.data.LoadError, match="expected a JSON object, got list"):
        crmlab.data.load(target)


def test_a_missing_or_swapped_table_is_an_error(log, tmp_path):
    target = tmp_path / "log"
    log.save(target)
    (target / "surveys.parquet").unlink()
    with pytest.raises(crmlab.data.LogNotFoundError, match=r"missing surveys\.parquet"):
        crmlab.data.load(target)
    log.save(target, overwrite=True)
    stages, contacts = target / "stages.parquet", target / "contacts.parquet"
    s, c = stages.read_bytes(), contacts.read_bytes()
    stages.write_bytes(c)
    contacts.write_bytes(s)
    with pytest.raises(crmlab.data.LoadError, match=r"stages\.parquet: .*the card records as contacts\.parquet"):
        crmlab.data.load(target)
    # a card without checksums (written before they existed): the schema still tells the tables apart
    card = json.loads((target / "card.json").read_text())
    del card["sha256"]
    (target / "card.json").write_text(json.dumps(card))
    with pytest.raises(crmlab.data.LoadError, match=r"stages\.parquet is not the stages table"):
        crmlab.data.load(target)
    # and so it does without any card
    (target / "card.json").unlink()
    with pytest.raises(crmlab.data.LoadError, match=r"stages\.parquet is not the stages table"):
        crmlab.data.load(target)


def test_command_line_names_its_overwrite_flag(tmp_path, capsys):
    from sim.__main__ import main

    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("x")
    assert main(["--customers", "100", "--years", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pass --overwrite to replace it" in err and "overwrite=True" not in err
    assert main(["--customers", "100", "--years", "1", "--out", str(out), "--overwrite"]) == 2
    assert "not a saved crmlab event log" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_load_error_survives_pickling():
    import pickle

    for err in (crmlab.data.LoadError("x.parquet: damaged"), crmlab.data.LogNotFoundError("no folder y")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err)
    assert isinstance(crmlab.data.LogNotFoundError("z"), FileNotFoundError)
    assert logfolder.LoadError is sim.LoadError
