"""The event-log contract (crmlab.schema) is the one place tables, columns, dtypes and stages are stated."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import crmlab
import crmlab.data
from crmlab import schema
from crmlab.errors import CRMDataError


def test_seven_tables_every_column_with_a_dtype_and_a_meaning():
    assert schema.TABLES == ("customers", "transactions", "stages", "contacts", "service", "surveys", "truth")
    table = schema.describe()
    assert len(table) == sum(len(schema.table(t).columns) for t in schema.TABLES) == 55
    assert set(table["dtype"]) <= set(schema.DTYPES)
    assert table["meaning"].str.len().min() > 5
    assert not table.duplicated(["table", "column"]).any()
    assert schema.table("transactions").required == ("customer_id", "date", "amount")
    with pytest.raises(CRMDataError, match="unknown table name.*'orders'"):
        schema.table("orders")


def test_one_stage_vocabulary_and_its_legal_changes():
    import crmlab.explore.market
    import sim.eventlog

    assert schema.STAGES == ("target", "prospect", "opportunity", "customer", "dormant", "lost")
    assert sim.eventlog.STAGES is schema.STAGES and crmlab.explore.market.STAGES is schema.STAGES
    assert sim.eventlog.TABLES is schema.TABLES and crmlab.data.TABLES is schema.TABLES
    assert sim.eventlog.LEGAL_CHANGES is schema.LEGAL_CHANGES
    assert all(a in schema.STAGES and b in schema.STAGES and a != b for a, b in schema.LEGAL_CHANGES)
    # lifecycle's stages are another thing, read off purchases, and say so by their name
    from crmlab import lifecycle
    assert lifecycle.OBSERVABLE_STAGES == ("new", "active", "dormant", "lost")
    assert not hasattr(lifecycle, "STAGES")


def test_frame_checks_names_order_and_dtypes():
    cols = {"customer_id": np.array([1, 2]), "date": np.array(["2024-01-02", "2024-01-03"], "M8[ns]"),
            "satisfaction": np.array([4, 5]), "nps": np.array([9, 10])}
    assert schema.frame("surveys", cols)["nps"].tolist() == [9, 10]
    with pytest.raises(CRMDataError, match=r"column 'nps': must have dtype int64 in the surveys table \(got float64\)"):
        schema.frame("surveys", {**cols, "nps": np.array([9.0, 10.0])})
    with pytest.raises(CRMDataError, match="exactly the columns"):
        schema.frame("surveys", {k: cols[k] for k in ["date", "customer_id", "satisfaction", "nps"]})
    with pytest.raises(CRMDataError, match="column 'nps': missing column in the surveys table"):
        schema.frame("surveys", {k: cols[k] for k in ["customer_id", "date", "satisfaction"]})
    # text is pandas' str or (pandas 2) object holding str; missing text is fine
    st = {"customer_id": np.array([1]), "date": np.array(["2024-01-02"], "M8[ns]"),
          "from_stage": pd.Series(["target"], dtype=object), "to_stage": pd.Series(["prospect"], dtype="str")}
    assert schema.frame("stages", st).shape == (1, 4)
    with pytest.raises(CRMDataError, match="column 'from_stage': must have dtype str"):
        schema.frame("stages", {**st, "from_stage": pd.Series([3], dtype=object)})


def test_every_scenario_writes_the_contract():
    import sim

    names = sim.scenarios()
    assert {"classroom", "textbook", "busy_desk"} <= set(names)
    for scenario in names:                       # every built-in scenario, including ones added later
        log = sim.simulate(scenario, customers=80, years=1, seed=2)
        for name, df in log.tables().items():
            schema.check_table(name, df, complete=True)
        assert list(log.tables()) == list(schema.TABLES), scenario


def test_the_shipped_card_lists_the_schema_columns():
    card = crmlab.data.classroom().card
    assert card["columns"] == schema.card_columns()
    assert card["format"] == "crmlab-event-log/1"


def test_readme_points_to_the_one_contract(repo_root):
    dev = (repo_root / "README.md").read_text(encoding="utf-8").split("## Development", 1)[1]
    assert "crmlab/schema.py" in dev and "sim/eventlog.py" not in dev


def test_crmlab_never_imports_the_simulator(repo_root):
    """Every crmlab module but the live-market explorer imports without sim (in a fresh interpreter)."""
    code = """
import importlib, pkgutil, sys
import crmlab
names = sorted(m.name for m in pkgutil.walk_packages(crmlab.__path__, "crmlab."))
skipped = {"crmlab.explore.market"}
for name in names:
    if name not in skipped:
        importlib.import_module(name)
print(len(names) - len(skipped), [m for m in sys.modules if m == "sim" or m.startswith("sim.")])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_root,
                          env={"MPLBACKEND": "agg", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split(" ", 1)
    assert int(count) >= 25 and loaded.strip() == "[]"
