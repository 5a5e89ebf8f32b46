"""Saving and loading event logs, the command line and the shipped classroom dataset."""
import json
import subprocess
import sys

import pandas as pd
import pytest

import crmlab.data
import sim
from crmlab import logfolder, schema
from crmlab.schema import TABLES


@pytest.fixture(scope="module")
def small():
    return sim.simulate("classroom", customers=300, years=1, seed=4)


def test_functional_save_and_load_round_trip(small, tmp_path):
    folder = tmp_path / "x"
    small.save(folder)
    for name in TABLES:
        assert (folder / f"{name}.parquet").exists() and (folder / "csv" / f"{name}.csv").exists()
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    assert card["scenario"] == "classroom" and card["seed"] == 4 and card["customers"] == 300
    assert card["parameters"]["dropout_per_year"] == small.config.dropout_per_year
    assert card["rows"]["transactions"] == len(small.transactions)
    assert card["package_version"]
    assert "referral_share" in card["measured"]
    assert "Data card" in (folder / "README.md").read_text(encoding="utf-8")
    assert card["format"] == logfolder.LOG_FORMAT
    assert card["columns"] == schema.card_columns()                  # the card's column list is the schema's
    files = [f"{name}.parquet" for name in TABLES] + [f"csv/{name}.csv" for name in TABLES]
    assert card["sha256"] == {f: logfolder.sha256(folder / f) for f in files}
    back = sim.load(folder)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(small, name))
    assert back.config == small.config and back.seed == 4
    assert back.observation_end == small.observation_end


def test_functional_crmlab_reads_the_same_layout(small, tmp_path):
    """One loader, one class: sim.load delegates to crmlab.data.load; sim.EventLog is crmlab's EventLog."""
    small.save(tmp_path / "y")
    data = crmlab.data.load(tmp_path / "y")
    assert type(data) is crmlab.data.EventLog and isinstance(small, crmlab.data.EventLog)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(data, name), getattr(small, name))
    assert data.card["scenario"] == "classroom"
    assert sim.LoadError is crmlab.data.LoadError


def test_functional_save_refuses_non_empty_folder(small, tmp_path):
    folder = tmp_path / "z"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty; pass overwrite=True"):
        small.save(folder)
    with pytest.raises(FileExistsError, match="not a saved crmlab event log"):
        small.save(folder, overwrite=True)                        # not a log: never replaced
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "mine"          # nothing touched
    (folder / "notes.txt").unlink()
    small.save(folder)                                            # an empty folder is fine
    small.save(folder, overwrite=True)                            # and a saved log may be replaced
    assert (folder / "card.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["z"]          # no temporary folders left


def test_functional_load_names_what_is_missing(small, tmp_path):
    folder = tmp_path / "w"
    small.save(folder)
    (folder / "surveys.parquet").unlink()
    (folder / "card.json").unlink()
    with pytest.raises(sim.LoadError, match=r"missing surveys\.parquet, card\.json"):
        sim.load(folder)
    with pytest.raises(sim.LoadError, match="not found"):
        sim.load(tmp_path / "nowhere")


def test_functional_cli_writes_parquet_csv_and_card(tmp_path):
    out = tmp_path / "cli"
    cmd = [sys.executable, "-m", "sim", "--scenario", "classroom", "--customers", "300", "--years", "1",
           "--seed", "7", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "transactions" in done.stdout
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert (card["scenario"], card["customers"], card["years"], card["seed"]) == ("classroom", 300, 1.0, 7)
    assert (out / "csv" / "transactions.csv").exists()
    expected = sim.simulate("classroom", customers=300, years=1, seed=7)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "transactions.parquet"), expected.transactions)
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 2 and "not empty; pass --overwrite" in again.stderr
    assert "overwrite=True" not in again.stderr


def test_functional_shipped_classroom_dataset_is_regenerable(repo_root, tmp_path):
    """The classroom dataset is `python -m sim --scenario classroom --seed 7 --out <its folder>` (make dataset).

    Loading it checks every table's sha256 against its card, so the shipped files are the ones the card describes.
    """
    folder = crmlab.data.dataset_path("classroom")
    shipped = sim.load(folder)
    assert shipped.card["scenario"] == "classroom" and shipped.card["seed"] == 7
    fresh = sim.simulate("classroom", customers=shipped.card["customers"], years=shipped.card["years"], seed=7)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(shipped, name), getattr(fresh, name), obj=name)
    assert shipped.card["parameters"] == fresh.card["parameters"]
    assert set(shipped.card["sha256"]) >= {f"{name}.parquet" for name in TABLES}
    assert shipped.card["columns"] == schema.card_columns()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 8_000_000


def test_functional_chinese_profiles():
    log = sim.simulate(sim.scenario("classroom", locale="zh_CN"), customers=200, years=1, seed=1)
    names = log.customers["name"]
    assert names.str.contains(r"^[\u4e00-\u9fff]{2,4}$").all()
    assert log.customers["city"].str.contains(r"^[\u4e00-\u9fff]+市$").all()
    assert {"北京市", "上海市"} <= set(sim.profiles.name_pools("zh_CN")["city"])
    en = sim.simulate("classroom", customers=200, years=1, seed=1)
    assert en.customers["name"].str.contains(r"^[A-Za-z'\-]+ [A-Za-z'\-]+$").all()
    assert set(en.customers["gender"]) == {"F", "M"}
    age = (pd.Timestamp("2023-01-01") - en.customers["birth_date"]).dt.days / 365.25
    assert age.between(18, 81).all()


def test_functional_firms_have_company_names():
    log = sim.simulate("b2b", customers=100, years=1, seed=1)
    assert log.customers["gender"].isna().all() and log.customers["birth_date"].isna().all()
    assert log.customers["name"].str.len().gt(3).all()
