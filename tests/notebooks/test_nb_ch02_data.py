"""Unit: chapter 02's customer file and messy export (hand-made tables, counted by hand)."""
import numpy as np
import pandas as pd
import pytest

from crmlab.data import validate_transactions
from crmlab.errors import CRMDataError
from crmlab.explore import messy
from crmlab.explore.customer_file import customer_file


@pytest.fixture()
def tx():
    n = 1000
    return pd.DataFrame({"order_id": np.arange(1, n + 1), "customer_id": np.arange(n) % 97 + 1,
                         "date": pd.date_range("2023-01-01", periods=n, freq="D"),
                         "amount": np.round(np.linspace(5, 2000, n), 2), "cost": np.round(np.linspace(3, 1200, n), 2),
                         "category": ["food", "toys", "electronics", "books"] * (n // 4)})


def test_unit_customer_file_hand_worked():
    people = pd.DataFrame({"customer_id": [1, 2, 3], "gender": ["F", "M", "F"]})
    t = pd.DataFrame({"customer_id": [2, 1, 1, 1], "date": ["2024-05-01", "2024-01-02", "2024-01-09", "2024-03-01"],
                      "amount": [10.0, 30.0, 20.0, 50.0], "cost": [4.0, 20.0, 5.0, 30.0],
                      "category": ["a", "a", "b", "a"]})
    before = t.copy()
    f = customer_file(people, t)
    pd.testing.assert_frame_equal(t, before)   # input untouched
    # customer 1: 3 orders, revenue 100, gross profit 100 − 55 = 45, avg 33.33, 2 categories
    assert f.loc[1, ["orders", "revenue", "gross_profit", "categories"]].tolist() == [3, 100.0, 45.0, 2]
    assert f.loc[1, "avg_order"] == pytest.approx(100 / 3)
    assert f.loc[1, "first_order"] == pd.Timestamp("2024-01-02") and f.loc[1, "last_order"] == pd.Timestamp("2024-03-01")
    assert f.loc[3, "orders"] == 0 and pd.isna(f.loc[3, "last_order"])
    assert list(customer_file(people, t, only_buyers=True).index) == [1, 2]


def test_unit_customer_file_errors():
    people = pd.DataFrame({"customer_id": [1, 1]})
    t = pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(CRMDataError, match="duplicate customer id"):
        customer_file(people, t)
    with pytest.raises(CRMDataError, match="without a profile"):
        customer_file(pd.DataFrame({"customer_id": [2]}), t)


def test_unit_messy_export_plants_each_fault(tx):
    raw = messy.messy_export(tx, n=400, seed=3)
    counts = messy.fault_counts(tx, n=400)
    # 400·3% = 12 duplicate rows appended
    assert len(raw) == 400 + counts["duplicate_rows"] == 412
    assert raw.duplicated().sum() == 12
    distinct = raw.drop_duplicates()
    assert distinct["customer_id"].isna().sum() == counts["missing_customer"] == 4  # 400·1%
    assert distinct["amount"].isna().sum() == counts["missing_amount"] == 4        # 400·1%
    assert distinct["amount"].str.startswith("$", na=False).sum() == counts["text_amount"] == 16  # 400·4%
    parsed = pd.to_datetime(distinct["date"], errors="coerce", format="mixed")
    assert parsed.isna().sum() == counts["unparseable_date"] == 4
    assert (~distinct["category"].isin(tx["category"])).sum() == counts["category_typo"] == 12
    pd.testing.assert_frame_equal(raw, messy.messy_export(tx, n=400, seed=3))        # same seed, same export
    assert not raw.equals(messy.messy_export(tx, n=400, seed=4))


def test_unit_messy_export_cleans_back_to_the_original(tx):
    raw = messy.messy_export(tx, n=400, seed=5)
    assert messy.first_problem(raw).startswith("column 'customer_id': missing customer id")
    clean = raw.dropna(subset=["customer_id", "amount"]).drop_duplicates().copy()
    clean = clean[pd.to_datetime(clean["date"], errors="coerce", format="mixed").notna()]
    assert messy.first_problem(clean).startswith("column 'amount': amount is not a number")
    clean["amount"] = clean["amount"].str.replace("$", "").str.replace(",", "").astype(float)
    assert messy.first_problem(clean) == "no problems found"
    checked = validate_transactions(clean)
    original = tx.set_index("order_id").loc[checked["order_id"].astype(int)]
    # every surviving row carries the original order's date and amount
    assert np.allclose(checked["amount"].to_numpy(), original["amount"].to_numpy())
    assert (checked["date"].to_numpy() == original["date"].to_numpy()).all()
    assert len(checked) == 400 - 4 - 4 - 4    # minus rows without customer, date, amount


def test_unit_messy_export_bad_n(tx):
    with pytest.raises(CRMDataError, match="'n'"):
        messy.messy_export(tx, n=5)


def test_functional_messy_export_command_writes_csv(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "messy_export.csv"
    done = subprocess.run([sys.executable, "-m", "crmlab.explore.messy", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    back = pd.read_csv(out, dtype=str)
    import crmlab.data
    expected = messy.messy_export(crmlab.data.classroom().transactions)
    assert back.shape == expected.shape
    assert back["date"].fillna("").tolist() == expected["date"].fillna("").tolist()
