"""Unit tests for crmlab.sql: DuckDB over a saved log's Parquet files, RFM and chapter-02 measures in SQL.

A hand-worked five-customer log (written as Parquet into a temporary folder)
checks every number of the SQL RFM, crmlab's tie rule against NTILE and the
privacy view; the classroom dataset checks the SQL against the library cell
for cell.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import composition, rfm as crm_rfm, sql
from crmlab.errors import CRMDataError, ParameterError

AS_OF = "2024-03-11"


@pytest.fixture
def small_log(tmp_path):
    """Five customers; c3 and c4 spent the same to the cent (0.1 + 0.2 and 0.3); c1 orders again after the as-of day."""
    customers = pd.DataFrame({
        "customer_id": np.array([1, 2, 3, 4, 5], dtype=np.int64),
        "name": ["Ann Lee", "Bo Chen", "Cy Wu", "Di Ma", "Ed Xu"],
        "gender": ["F", "M", "M", "F", "M"],
        "birth_date": pd.to_datetime(["1977-12-15", "1980-01-01", "1989-12-31", "1990-06-01", "2001-02-03"]),
        "city": ["Xiamen", "Fuzhou", "Xiamen", "Quanzhou", "Fuzhou"],
        "acquisition_channel": ["web", "web", "store", None, "web"],
        "acquired_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-10", "2024-03-11"]),
        "referred_by": pd.array([pd.NA, 1, pd.NA, pd.NA, 2], dtype="Int64"),
    })
    tx = pd.DataFrame({
        "order_id": np.arange(1, 9, dtype=np.int64),
        "customer_id": np.array([1, 1, 2, 3, 3, 4, 5, 1], dtype=np.int64),
        "date": pd.to_datetime(["2024-01-01", "2024-03-01 09:00", "2024-02-01", "2024-03-01", "2024-03-01 18:00",
                                "2024-03-10", "2024-03-11 23:00", "2024-03-12"], format="ISO8601"),
        "amount": [10.0, 30.0, 5.0, 0.1, 0.2, 0.3, 100.0, 99.0],
        "cost": [5.0, 20.0, 4.0, 0.05, 0.1, 0.1, 60.0, 50.0],
        "category": ["tea", "cups", "tea", "tea", "tea", "tea", "pots", "cups"],
    })
    customers.to_parquet(tmp_path / "customers.parquet")
    tx.to_parquet(tmp_path / "transactions.parquet")
    return tmp_path, customers, tx


def test_rfm_in_sql_hand_worked(small_log):
    folder, _, tx = small_log
    t = sql.rfm(sql.connect(folder), AS_OF)
    # R = days from the last order's day to 2024-03-11 (c5's order at 23:00 that day: 0); the 2024-03-12 order is out
    assert t["recency"].to_dict() == {1: 10, 2: 39, 3: 10, 4: 1, 5: 0}
    assert t["frequency"].to_dict() == {1: 2, 2: 1, 3: 2, 4: 1, 5: 1}
    assert t["monetary"].to_numpy() == pytest.approx([40.0, 5.0, 0.3, 0.3, 100.0])
    # n = 5, bins = 5: score = 5·(rank_min − 1) // 5 + 1 = rank_min, worst first.
    # R: 39 (c2) 1st; 10 (c1, c3) share 2nd; 1 (c4) 4th; 0 (c5) 5th
    assert t["r_score"].to_dict() == {1: 2, 2: 1, 3: 2, 4: 4, 5: 5}
    # F: one order (c2, c4, c5) share 1st; two orders (c1, c3) share 4th
    assert t["f_score"].to_dict() == {1: 4, 2: 1, 3: 4, 4: 1, 5: 1}
    # M in cents: 30 (c3: 0.1 + 0.2, c4: 0.3) share 1st, 500 3rd, 4000 4th, 10000 5th
    assert t["m_score"].to_dict() == {1: 4, 2: 3, 3: 1, 4: 1, 5: 5}
    assert t["cell"].tolist() == ["244", "113", "241", "411", "515"]
    assert t["segment"].tolist() == ["at risk", "hibernating", "at risk", "promising", "new"]
    # the library on the orders up to the as-of day (it refuses a later order) gives the same table
    lib = crm_rfm.rfm_table(tx[tx["date"] < "2024-03-12"], AS_OF)
    pd.testing.assert_frame_equal(t, lib, check_exact=False, rtol=1e-12, check_dtype=False)
    assert (t.dtypes[["recency", "frequency", "r_score", "f_score", "m_score"]] == np.int64).all()


def test_ntile_breaks_ties_by_row_order(small_log):
    t = sql.rfm(sql.connect(small_log[0]), AS_OF, scores="ntile")
    # sorted by (frequency, customer_id): c2, c4, c5, c1, c3 → buckets 1..5 one each, although
    # c2, c4, c5 all ordered once and c1, c3 twice
    assert t["f_score"].to_dict() == {1: 4, 2: 1, 3: 5, 4: 2, 5: 3}
    assert "NTILE(5)" in sql.rfm_sql(AS_OF, scores="ntile") and "RANK()" not in sql.rfm_sql(AS_OF, scores="ntile")


def test_rfm_sql_text_and_options(small_log):
    text = sql.rfm_sql(AS_OF)
    assert "RANK() OVER (ORDER BY recency DESC)" in text and "round_even(100 * monetary, 0)" in text
    assert "DATE '2024-03-11'" in text
    con = sql.connect(small_log[0])
    t3 = sql.rfm(con, AS_OF, bins=3, monetary="mean")
    assert "segment" not in t3.columns
    # mean spend: c1 20, c2 5, c3 0.15, c4 0.3, c5 100 → rank 4, 3, 1, 2, 5 → 3·(rank − 1) // 5 + 1
    assert t3["m_score"].to_dict() == {1: 2, 2: 2, 3: 1, 4: 1, 5: 3}
    # default as_of: the day of the last order (2024-03-12) — the late order counts then
    assert sql.rfm(con)["recency"].to_dict() == {1: 0, 2: 40, 3: 11, 4: 2, 5: 1}
    for bad, kw in (("scores", {"scores": "quintile"}), ("monetary", {"monetary": "sum"}), ("bins", {"bins": 1})):
        with pytest.raises((ParameterError, CRMDataError), match=bad):
            sql.rfm_sql(AS_OF, **kw)
    with pytest.raises(CRMDataError, match="as_of"):
        sql.rfm(con, "2023-01-01")


def test_privacy_view_has_no_personal_column(small_log):
    folder = small_log[0]
    for analyst in (False, True):
        con = sql.connect(folder, analyst=analyst)
        view = sql.query(con, f"SELECT * FROM {sql.MARKETING_VIEW} ORDER BY customer_id")
        assert set(view.columns) & set(sql.HIDDEN_COLUMNS) == set()
        assert view.columns.tolist() == ["customer_id", "gender", "birth_decade", "acquisition_channel",
                                         "acquired_at", "referred_by"]
        assert view["birth_decade"].tolist() == [1970, 1980, 1980, 1990, 2000]
    assert sql.tables(con) == ["calendar", "customers_marketing", "transactions"]   # analyst: no raw customers
    assert "customers" in sql.tables(sql.connect(folder))
    with pytest.raises(Exception, match="customers"):
        sql.query(con, "SELECT name FROM customers")


def test_classroom_analyst_sees_neither_people_nor_truth():
    con = sql.connect(analyst=True)
    assert {"customers", "truth"} & set(sql.tables(con)) == set()
    cols = sql.query(con, f"SELECT * FROM {sql.MARKETING_VIEW} LIMIT 1").columns
    assert set(cols) & set(sql.HIDDEN_COLUMNS) == set()


def test_composition_and_product_mix_hand_worked(small_log):
    folder, customers, tx = small_log
    con = sql.connect(folder)
    c = sql.composition(con)
    # web: c1, c2, c5 (revenue 40 + 99 late order + 5 + 100 = 244); store: c3 (0.3); missing: c4 (0.3)
    assert c.index.tolist() == ["web", "(missing)", "store"]
    assert c["customers"].tolist() == [3, 1, 1] and c["buyers"].tolist() == [3, 1, 1]
    assert c["revenue"].to_numpy() == pytest.approx([244.0, 0.3, 0.3])
    lib = composition.customer_composition(customers, tx=tx)
    for col in lib.columns:
        assert c[col].reindex(lib.index).to_numpy() == pytest.approx(lib[col].to_numpy(), rel=1e-12), col
    inv = {"tea": 2.0, "cups": 10.0, "pots": 30.0}
    m = sql.product_mix(con, inventory=inv, years=2)
    # cups: revenue 129, cost 70 → margin 59/129; turnover 70 / 2 / 10 = 3.5 a year
    assert m.index.tolist() == ["cups", "pots", "tea"]
    assert m.loc["cups", "turnover"] == pytest.approx(3.5)
    assert m.loc["cups", "cross_ratio"] == pytest.approx(59 / 129 * 3.5)
    lib = composition.product_mix(tx, inventory=pd.Series(inv), years=2)
    pd.testing.assert_frame_equal(m, lib, check_exact=False, rtol=1e-12, check_dtype=False, check_names=False)
    with pytest.raises(CRMDataError, match="inventory"):
        sql.product_mix(con, inventory={"tea": 1.0}, years=2)
    with pytest.raises(ParameterError, match="years"):
        sql.product_mix_sql(inventory=inv)
    with pytest.raises(ParameterError, match="inventory"):
        sql.product_mix_sql(inventory={"tea": -1.0}, years=1)
    with pytest.raises(ParameterError, match="by"):
        sql.composition_sql("name; DROP TABLE customers")


def test_connect_refuses_a_folder_without_tables(tmp_path):
    with pytest.raises(CRMDataError, match="path"):
        sql.connect(tmp_path)
    with pytest.raises(CRMDataError, match="path"):
        sql.connect(tmp_path / "missing")
    with pytest.raises(ParameterError, match="sql"):
        sql.query(sql.connect(), "  ")


def test_calendar_is_one_row_per_day(small_log):
    cal = sql.query(sql.connect(small_log[0]), "SELECT * FROM calendar ORDER BY day")
    assert len(cal) == 72            # 2024-01-01 .. 2024-03-12 (leap year: 31 + 29 + 12)
    assert cal["weekday"].iloc[0] == "Monday" and cal["quarter"].unique().tolist() == [1]


@pytest.mark.parametrize("as_of", [None, "2025-12-31", "2024-06-30"])
@pytest.mark.parametrize("monetary", ["total", "mean"])
def test_classroom_rfm_in_sql_equals_rfm_table_cell_for_cell(classroom_log, as_of, monetary):
    tx = classroom_log.transactions
    if as_of is not None:
        tx = tx[tx["date"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    lib = crm_rfm.rfm_table(tx, as_of, monetary=monetary)
    got = sql.rfm(sql.connect(), as_of, monetary=monetary)
    pd.testing.assert_frame_equal(got, lib, check_exact=False, rtol=1e-12, check_dtype=False)


def test_classroom_ntile_moves_customers_that_rank_keeps_together(classroom_log):
    con = sql.connect()
    rank, ntile = sql.rfm(con, "2025-12-31"), sql.rfm(con, "2025-12-31", scores="ntile")
    # crmlab's rule: equal frequency → equal score; NTILE splits some tie groups over two scores
    assert rank.groupby("frequency")["f_score"].nunique().max() == 1
    assert ntile.groupby("frequency")["f_score"].nunique().max() == 2
    # NTILE's buckets differ in size by at most one
    sizes = ntile["f_score"].value_counts()
    assert sizes.max() - sizes.min() <= 1


def test_classroom_composition_and_mix_equal_the_library(classroom_log):
    con = sql.connect()
    lib = composition.customer_composition(classroom_log.customers, tx=classroom_log.transactions)
    got = sql.composition(con)
    assert sorted(got.index) == sorted(lib.index)
    for col in lib.columns:
        assert got[col].reindex(lib.index).to_numpy() == pytest.approx(lib[col].to_numpy(), rel=1e-12), col
    inv = pd.Series({"grocery": 4000.0, "household": 3000.0, "clothing": 5000.0, "electronics": 800.0})
    pd.testing.assert_frame_equal(sql.product_mix(con, inventory=inv, years=3),
                                  composition.product_mix(classroom_log.transactions, inventory=inv, years=3),
                                  check_exact=False, rtol=1e-12, check_dtype=False, check_names=False)


def test_warehouse_names_every_table():
    from crmlab.schema import TABLES

    w = sql.warehouse_table()
    assert set(TABLES) | {"calendar"} == set(w.index)
    assert w.loc["transactions", "role"] == "fact" and w.loc["customers", "role"] == "dimension"


def test_group_sizes_hand_worked(small_log):
    con = sql.connect(small_log[0])
    # cities Xiamen (1, 3), Fuzhou (2, 5), Quanzhou (4): Quanzhou's one person is alone
    assert sql.group_sizes(con, ["city"]) == {"alone": 1, "smallest": 1, "groups": 3, "rows": 5}
    # gender F (1, 4), M (2, 3, 5): nobody alone, k = 2
    assert sql.group_sizes(con, ["gender"]) == {"alone": 0, "smallest": 2, "groups": 2, "rows": 5}
    # city × gender: Xiamen F (1), Xiamen M (3), Fuzhou M (2, 5), Quanzhou F (4) → three alone
    assert sql.group_sizes(con, ["city", "gender"]) == {"alone": 3, "smallest": 1, "groups": 4, "rows": 5}
    # birth decade on the privacy view: 1970 (1), 1980 (2, 3), 1990 (4), 2000 (5)
    assert sql.group_sizes(con, ["birth_decade"], table=sql.MARKETING_VIEW)["alone"] == 3
    with pytest.raises(ParameterError, match="columns"):
        sql.group_sizes(con, "city")
    with pytest.raises(ParameterError, match="table"):
        sql.group_sizes(con, ["city"], table="people")
