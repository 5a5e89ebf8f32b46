"""StartingOn: a strategy switched on at a date (chapter 11's programme vs control)."""
import pickle

import pandas as pd
import pytest

import sim
from sim.strategies import NoAction, StartingOn, Strategy, WinBackDormant, Contact


class Recorder(Strategy):
    name = "recorder"

    def __init__(self):
        self.days = []

    def decide(self, today, log):
        self.days.append(today)
        return []


def test_wrapped_strategy_is_asked_only_from_the_date():
    rec = Recorder()
    sim.simulate("classroom", customers=50, years=1, seed=1, strategy=StartingOn(rec, "2023-07-01"))
    assert rec.days, "the wrapped strategy was never asked"
    assert min(rec.days) >= pd.Timestamp("2023-07-01")
    assert min(rec.days) - pd.Timestamp("2023-07-01") < pd.Timedelta(days=7)   # the first weekly decision on/after it


def test_logs_identical_before_the_date_and_differ_after():
    """Common random numbers: same seed, NoAction vs a programme from mid-2024."""
    control = sim.simulate("classroom", customers=600, years=2, seed=5, strategy=NoAction())
    prog = sim.simulate("classroom", customers=600, years=2, seed=5,
                        strategy=StartingOn(WinBackDormant(), "2024-07-01"))
    cut = pd.Timestamp("2024-07-01")
    before_c = control.transactions[control.transactions["date"] < cut].reset_index(drop=True)
    before_p = prog.transactions[prog.transactions["date"] < cut].reset_index(drop=True)
    pd.testing.assert_frame_equal(before_c, before_p)
    wb = prog.contacts[prog.contacts["campaign"] == "winback"]
    assert len(wb) > 0 and wb["date"].min() >= cut
    assert not (control.contacts["campaign"] == "winback").any()
    pd.testing.assert_frame_equal(control.contacts[control.contacts["date"] < cut].reset_index(drop=True),
                                  prog.contacts[prog.contacts["date"] < cut].reset_index(drop=True))
    after_c = control.transactions[control.transactions["date"] >= cut]
    after_p = prog.transactions[prog.transactions["date"] >= cut]
    assert not after_c.reset_index(drop=True).equals(after_p.reset_index(drop=True))


def test_date_before_the_run_equals_the_strategy_itself():
    class CareAll(Strategy):
        name = "care all"

        def decide(self, today, log):
            stage = log.current_stage()
            return [Contact(c) for c in stage.index[stage == "customer"][:5]]

    a = sim.simulate("classroom", customers=200, years=1, seed=2, strategy=CareAll())
    b = sim.simulate("classroom", customers=200, years=1, seed=2, strategy=StartingOn(CareAll(), "2000-01-01"))
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    pd.testing.assert_frame_equal(a.contacts, b.contacts)


def test_name_and_bad_arguments():
    s = StartingOn(WinBackDormant(), "2024-07-01")
    assert s.name == "win back dormant from 2024-07-01"
    assert s.date == pd.Timestamp("2024-07-01")
    assert pickle.loads(pickle.dumps(s)).name == s.name
    with pytest.raises(ValueError, match="StartingOn date.*'mid-2024'"):
        StartingOn(WinBackDormant(), "mid-2024")
    with pytest.raises(ValueError, match="StartingOn date.*None"):
        StartingOn(WinBackDormant(), None)
    with pytest.raises(TypeError, match="decide.*42"):
        StartingOn(42, "2024-07-01")
