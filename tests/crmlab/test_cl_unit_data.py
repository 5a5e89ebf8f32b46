"""Bad-input rules of crmlab.data (one test per rule) and loading an event log from disk."""
import numpy as np
import pandas as pd
import pytest

from crmlab import data, rfm
from crmlab.errors import CRMDataError


@pytest.fixture
def tx():
    return pd.DataFrame({"order_id": [1, 2, 3], "customer_id": ["a", "b", "a"],
                         "date": ["2024-01-01", "2024-01-02", "2024-01-03"], "amount": [10.0, 20.0, 30.0]})


def test_missing_column(tx):
    with pytest.raises(CRMDataError, match="'amount': missing column") as e:
        data.validate_transactions(tx.drop(columns="amount"))
    assert e.value.column == "amount"
    with pytest.raises(CRMDataError, match="'spend': missing column"):
        rfm.rfm_table(tx, amount="spend")


def test_nan_amount(tx):
    bad = tx.assign(amount=[10.0, np.nan, 30.0])
    with pytest.raises(CRMDataError, match="NaN amount") as e:
        data.validate_transactions(bad)
    assert e.value.rows == [1]


def test_negative_amount(tx):
    bad = tx.assign(amount=[10.0, 20.0, -5.0])
    with pytest.raises(CRMDataError, match="negative amount") as e:
        rfm.rfm_table(bad)
    assert e.value.column == "amount" and e.value.rows == [2]


def test_non_numeric_amount(tx):
    bad = tx.assign(amount=["10", "twenty", "30"])
    with pytest.raises(CRMDataError, match="not a number"):
        data.validate_transactions(bad)


def test_unparseable_date(tx):
    bad = tx.assign(date=["2024-01-01", "yesterday", "2024-01-03"])
    with pytest.raises(CRMDataError, match="unparseable") as e:
        data.validate_transactions(bad)
    assert e.value.column == "date" and e.value.rows == [1]


def test_date_after_as_of(tx):
    with pytest.raises(CRMDataError, match="after the analysis date") as e:
        data.validate_transactions(tx, as_of="2024-01-02")
    assert e.value.rows == [2]


def test_duplicate_order_id(tx):
    bad = tx.assign(order_id=[1, 2, 2])
    with pytest.raises(CRMDataError, match="duplicate order id") as e:
        rfm.rfm_table(bad)
    assert e.value.rows == [1, 2]


def test_empty_table(tx):
    with pytest.raises(CRMDataError, match="empty"):
        rfm.rfm_table(tx.iloc[0:0])


def test_missing_customer_id(tx):
    bad = tx.assign(customer_id=["a", None, "a"])
    with pytest.raises(CRMDataError, match="missing customer id"):
        data.validate_transactions(bad)


def test_not_a_dataframe():
    with pytest.raises(CRMDataError, match="DataFrame"):
        data.select_transactions([1, 2, 3])


def test_select_transactions_keeps_only_needed_columns(tx):
    out = data.select_transactions(tx.assign(city="Wuhan"), extra=("city",))
    assert list(out.columns) == ["customer_id", "date", "amount", "order_id", "city"]
    assert out["date"].dtype == "datetime64[ns]"
    assert tx["date"].dtype != "datetime64[ns]"          # input untouched


def test_resolve_as_of(tx):
    dates = pd.to_datetime(tx["date"])
    assert data.resolve_as_of(None, dates) == pd.Timestamp("2024-01-03")
    assert data.resolve_as_of("2024-02-01", dates) == pd.Timestamp("2024-02-01")
    with pytest.raises(CRMDataError, match="as_of"):
        data.resolve_as_of("soon", dates)


def test_load_csv_and_parquet_folder(tmp_path, tx):
    tx.to_csv(tmp_path / "transactions.csv", index=False)
    log = data.load(tmp_path)
    assert log.transactions["date"].dtype.kind == "M" and len(log.transactions) == 3
    pq = tmp_path / "pq"
    pq.mkdir()
    data.validate_transactions(tx).to_parquet(pq / "transactions.parquet")
    assert list(data.load(pq).tables()) == ["transactions"]
    with pytest.raises(FileNotFoundError):
        data.load(tmp_path / "nowhere")
    with pytest.raises(data.LogNotFoundError, match="event log folder not found"):
        data.load(tmp_path / "nowhere")


def test_load_a_folder_without_card_parses_by_the_schema(tmp_path):
    """A shop's CSV export: dates and nullable ids come back with the schema's dtypes; a csv/ subfolder is used."""
    (tmp_path / "csv").mkdir()
    pd.DataFrame({"customer_id": [1, 2], "acquired_at": ["2024-01-05", ""], "referred_by": [None, 1],
                  "first_seen_date": ["2023-12-01", "2023-12-02"]}).to_csv(tmp_path / "csv" / "customers.csv",
                                                                        index=False)
    pd.DataFrame({"customer_id": [1], "date": ["2024-02-01"], "amount": [9.5]}).to_csv(
        tmp_path / "csv" / "transactions.csv", index=False)
    log = data.load(tmp_path)
    cu = log.customers
    assert str(cu["acquired_at"].dtype) == "datetime64[ns]" and cu["acquired_at"].isna().tolist() == [False, True]
    assert str(cu["referred_by"].dtype) == "Int64" and cu["referred_by"].tolist()[1] == 1
    assert cu["first_seen_date"].iloc[1] == pd.Timestamp("2023-12-02")     # an extra *_date column is a date too
    assert log.stages is None and list(log.tables()) == ["customers", "transactions"] and log.card == {}


def test_load_refuses_a_table_that_is_not_the_one_its_name_says(tmp_path, tx):
    tx.to_csv(tmp_path / "transactions.csv", index=False)
    tx.to_csv(tmp_path / "stages.csv", index=False)            # transactions saved under the stages name
    with pytest.raises(data.LoadError, match=r"stages\.csv is not the stages table.*column 'from_stage'"):
        data.load(tmp_path)
    assert data.load(tmp_path, tables=("transactions",)).stages is None
    with pytest.raises(CRMDataError, match="unknown table name"):
        data.load(tmp_path, tables=("orders",))


def test_duplicate_order_id_sparse_and_text_ids(tx):
    # ids spread over a wide range and text ids take the hashing path: same rule
    wide = tx.assign(order_id=[10**12, 5, 10**12])
    with pytest.raises(CRMDataError, match="duplicate order id") as e:
        data.validate_transactions(wide)
    assert e.value.rows == [0, 2]
    text = tx.assign(order_id=["A1", "A1", "B2"])
    with pytest.raises(CRMDataError, match="duplicate order id") as e:
        data.validate_transactions(text)
    assert e.value.rows == [0, 1]
    assert len(data.validate_transactions(tx.assign(order_id=[10**12, 5, 7]))) == 3


def test_bad_as_of_and_time_zones(tx):
    with pytest.raises(CRMDataError, match="as_of"):
        data.validate_transactions(tx, as_of="not a date")
    aware = tx.assign(date=pd.to_datetime(tx["date"]).dt.tz_localize("Asia/Shanghai"))
    out = data.validate_transactions(aware, as_of=pd.Timestamp("2024-01-03", tz="Asia/Shanghai"))
    assert out["date"].dt.tz is None and out["date"].iloc[2] == pd.Timestamp("2024-01-03")
    assert rfm.rfm_table(aware, as_of=pd.Timestamp("2024-01-04", tz="Asia/Shanghai"))["recency"].tolist() == [1, 2]
