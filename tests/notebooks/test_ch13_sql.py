"""Chapter 13 (the customer database in SQL): the explorer's compute function against the library
and hand-worked numbers, the claims of the text, and each exercise's self-check against an answer
computed here with pandas and the library (independent of the key file and of the SQL)."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import crmlab.data
from crmlab import lifecycle, rfm, sql
from crmlab.errors import ParameterError
from crmlab.exercises import check
from crmlab.explore import sql as selection

matplotlib.use("agg")

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def data():
    return crmlab.data.classroom()


@pytest.fixture(scope="module")
def con():
    return sql.connect()


def _verdict(ex, right, wrong):
    assert check(ex, right).status == "right"
    assert check(ex, wrong).status == "wrong"
    assert check(ex, ...).status == "not answered"


# ------------------------------------------------------------------ explorer


def test_unit_selection_sql_text():
    text = selection.selection_sql(AS_OF, silent_days=90, min_orders=2, min_spend=250.5, channel="referral")
    assert "(epoch(TIMESTAMP '2025-12-31') - epoch(MAX(date)))" in text
    assert "WHERE date <= TIMESTAMP '2025-12-31'" in text
    assert "HAVING silent_days >= 90 AND orders >= 2" in text and "AND spend >= 250.5" in text
    assert "WHERE acquisition_channel = 'referral')" in text and "customers_marketing" in text
    assert "customers_marketing" not in selection.selection_sql(AS_OF)           # "any": no filter on the channel
    for name, kw in (("silent_days", {"silent_days": -1}), ("min_orders", {"min_orders": 0}),
                     ("min_spend", {"min_spend": float("nan")}), ("channel", {"channel": "tv"})):
        with pytest.raises(ParameterError, match=name):
            selection.selection_sql(AS_OF, **kw)


def test_unit_run_selection_hand_worked(tmp_path):
    # three customers: 1 silent 200 days (2 orders, 30), 2 silent 10 days (1 order, 5), 3 silent 400 days (1, 50)
    tx = pd.DataFrame({"order_id": np.arange(1, 5, dtype=np.int64), "customer_id": np.array([1, 1, 2, 3], dtype=np.int64),
                       "date": pd.to_datetime(["2024-01-01", "2024-06-14", "2024-12-21", "2023-11-27"]),
                       "amount": [10.0, 20.0, 5.0, 50.0], "cost": [1.0] * 4, "category": ["tea"] * 4})
    tx.to_parquet(tmp_path / "transactions.parquet")
    con = sql.connect(tmp_path)
    r = selection.run_selection(con, "2024-12-31", silent_days=120, min_orders=1, min_spend=0, channel="any")
    assert r["ids"].tolist() == [1, 3] and r["customers"] == 2 and r["spend"] == pytest.approx(80.0)
    assert r["by_stage"].to_dict() == {"new": 0, "active": 0, "dormant": 1, "lost": 1}
    r = selection.run_selection(con, "2024-12-31", silent_days=0, min_orders=2, min_spend=0)
    assert r["ids"].tolist() == [1] and r["by_stage"]["dormant"] == 1
    assert selection.run_selection(con, "2024-12-31", silent_days=0, min_spend=40)["ids"].tolist() == [3]


def test_functional_selection_equals_the_library_on_the_classroom(data):
    con = sql.connect(analyst=True)
    r = selection.run_selection(con, AS_OF, silent_days=lifecycle.DORMANT_AFTER_DAYS, min_orders=1)
    stage = lifecycle.stage_at(data.transactions, AS_OF)["stage"]
    # silence counted as stage_at counts it: silent ≥ the dormancy threshold = dormant or lost
    assert set(r["ids"]) == set(stage.index[stage.isin(["dormant", "lost"])])
    # a channel filter keeps the customers acquired through it
    ref = selection.run_selection(con, AS_OF, silent_days=0, channel="referral")
    channel = data.customers.set_index("customer_id")["acquisition_channel"]
    assert set(ref["ids"]) == set(channel.index[channel == "referral"]) & set(data.transactions["customer_id"])


def test_functional_explorer_updates():
    box = selection.selection_explorer()
    first = bytes(box.image.value)
    box.controls["min_orders"].value = 3
    assert bytes(box.image.value) != first and bytes(box.image.value).startswith(b"\x89PNG")


# ------------------------------------------------------------------ the text's claims


def test_text_rfm_in_sql_agrees_and_ntile_does_not(data, con):
    in_sql, lib = sql.rfm(con, AS_OF), rfm.rfm_table(data.transactions, AS_OF)
    for c in ["recency", "frequency", "r_score", "f_score", "m_score", "cell", "segment"]:
        assert (in_sql[c] == lib[c]).all(), c
    ntile = sql.rfm(con, AS_OF, scores="ntile")
    table = pd.crosstab(in_sql["f_score"], ntile["f_score"])
    # "moved up a score": off the diagonal only just above it
    off = [(i, j) for i in table.index for j in table.columns if i != j and table.loc[i, j] > 0]
    assert off and all(j == i + 1 for i, j in off)


def test_text_privacy_table(con):
    # the reading of the table in the chapter: crowds for gender, city and gender + decade; alone otherwise
    assert sql.group_sizes(con, ["gender"])["alone"] == 0
    assert sql.group_sizes(con, ["city"])["alone"] == 0
    assert sql.group_sizes(con, ["gender", "year(birth_date) // 10"])["alone"] == 0
    assert sql.group_sizes(con, ["gender", "birth_date"])["alone"] == 4360              # "almost everyone" of 5,000
    assert sql.group_sizes(con, ["city", "gender", "year(birth_date) // 10"])["alone"] == 590   # "hundreds"
    assert set(sql.HIDDEN_COLUMNS) == {"name", "birth_date", "city"}


def test_text_the_year_table_and_the_star_query_run(con):
    years = sql.query(con, "SELECT year(date) AS year, COUNT(*) AS orders FROM transactions GROUP BY year ORDER BY year")
    assert years["year"].tolist() == [2023, 2024, 2025]
    assert int(years["orders"].sum()) == len(crmlab.data.classroom().transactions)


# ------------------------------------------------------------------ exercises (computed with pandas and the library)


def test_exercise_13_buyers_2025(data):
    tx = data.transactions
    n = tx.loc[tx["date"].dt.year == 2025, "customer_id"].nunique()
    orders = int((tx["date"].dt.year == 2025).sum())
    assert orders != n
    _verdict("13.buyers_2025", n, orders)            # counting orders instead of people is the wrong answer


def _ntile(values: pd.Series, ids: pd.Index, bins: int) -> np.ndarray:
    """NTILE(bins) as SQL defines it, rows sorted by (value, id): the first n mod bins buckets get one row more."""
    n = len(values)
    order = np.lexsort((ids.to_numpy(), values.to_numpy()))
    small, extra = divmod(n, bins)
    sizes = [small + 1] * extra + [small] * (bins - extra)
    bucket = np.repeat(np.arange(1, bins + 1), sizes)
    out = np.empty(n, dtype=np.int64)
    out[order] = bucket
    return out


def test_exercise_13_ntile_moves(data):
    lib = rfm.rfm_table(data.transactions, AS_OF)
    ntile = _ntile(lib["frequency"], lib.index, 5)
    moved = int((lib["f_score"].to_numpy() != ntile).sum())
    assert moved > 0
    assert (ntile == sql.rfm(sql.connect(), AS_OF, scores="ntile")["f_score"].to_numpy()).all()   # same NTILE
    _verdict("13.ntile_moves", moved, moved + 1)


def test_exercise_13_privacy_birth_year(data):
    c = data.customers
    sizes = c.groupby([c["city"], c["gender"], c["birth_date"].dt.year], dropna=False)["customer_id"].transform("size")
    alone = int((sizes == 1).sum())
    assert alone > len(c) / 2                       # most customers stand alone: the proposal fails
    assert check("13.privacy_birth_year", {"alone": alone, "keep_proposal": False}).status == "right"
    assert check("13.privacy_birth_year", {"alone": alone, "keep_proposal": True}).status == "wrong"
    assert check("13.privacy_birth_year", {"alone": alone + 1, "keep_proposal": False}).status == "wrong"
    assert check("13.privacy_birth_year", ...).status == "not answered"


def test_exercise_13_winback(data):
    tx = data.transactions
    stage = lifecycle.stage_at(tx, AS_OF)["stage"]
    spend = tx[tx["date"] <= pd.Timestamp(AS_OF)].groupby("customer_id")["amount"].sum()
    target = set(stage.index[(stage == "dormant") & (spend.reindex(stage.index) >= spend.median())])
    dormant = set(stage.index[stage == "dormant"])
    assert 0 < len(target) < len(dormant)
    _verdict("13.winback", target, dormant)         # every dormant customer, the value threshold forgotten
