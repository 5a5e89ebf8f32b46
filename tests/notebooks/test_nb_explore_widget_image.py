"""Functional: an explorer keeps ONE figure and answers a control change with new PNG bytes in
its image widget (the fast update path of crmlab.explore.explorer), without leaking figures,
and redrawing the kept figure gives exactly the picture a brand-new figure would."""
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import crmlab.explore
from crmlab.explore import economics, rfm

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _agg():
    matplotlib.use("agg")


def _tx():
    return pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 4],
                         "amount": [10.0, 30.0, 5.0, 8.0, 12.0, 50.0],
                         "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01", "2024-02-20",
                                                 "2024-04-02", "2024-04-20"])})


def test_functional_control_change_gives_new_png_on_the_same_figure():
    open_before = plt.get_fignums()
    box = rfm.rfm_explorer(_tx())
    fig, first = box.figure, bytes(box.image.value)
    assert first.startswith(PNG) and box.image.format == "png"
    box.controls["bins"].value = 3
    second = bytes(box.image.value)
    assert second.startswith(PNG) and second != first
    assert box.figure is fig and len(fig.axes) == 2          # the same figure, redrawn
    assert fig.axes[1].get_title() == "4 customers, 3 score levels"
    assert plt.get_fignums() == open_before                   # no pyplot figure made or left open
    width, height = int.from_bytes(second[16:20], "big"), int.from_bytes(second[20:24], "big")
    # 10 × 4.6 in at 100 dpi: projector size (matplotlib < 3.11 truncates 4.6 · 100 = 459.99… to 459)
    assert width == 1000 and height in (459, 460)


def test_functional_redrawn_figure_equals_a_fresh_one():
    tx = _tx()
    box = rfm.rfm_explorer(tx)
    for name, value in (("bins", 3), ("monetary", "mean"), ("as_of", box.controls["as_of"].options[1][1]),
                        ("bins", 4)):
        box.controls[name].value = value
    values = {k: c.value for k, c in box.controls.items()}
    assert bytes(box.image.value) == crmlab.explore.render_png(lambda fig: rfm.rfm_figure(fig, tx), **values)


def test_functional_headline_comes_and_goes():
    # the headline (suptitle) of an earlier update must not stay on the figure
    box = economics.profit_explorer()
    box.controls["retention"].value = 0.9
    assert box.figure.get_suptitle() != ""
    box.controls["retention"].value = 0.5                     # 45 % keeps profit negative: no headline
    assert box.figure.get_suptitle() == ""
    box.controls["acquisition_cost"].value = 100
    values = {k: c.value for k, c in box.controls.items()}
    assert bytes(box.image.value) == crmlab.explore.render_png(economics.profit_figure, **values)


def test_unit_draw_without_explorer_shows_an_image_and_leaves_no_figure(capsys):
    open_before = plt.get_fignums()
    rfm.draw(_tx(), pd.Timestamp("2024-04-20"), bins=3)      # a notebook calling draw on its own
    assert plt.get_fignums() == open_before
    assert "Image" in capsys.readouterr().out                 # (outside Jupyter: the image's text form)


def _failing_setup(fig):
    line, = fig.subplots().plot([], [], animated=True)

    def update(x):
        if x == 3:
            raise ValueError("x = 3 is bad")
        line.set_data([0, 1], [0, x])

    return update


@pytest.mark.notebook
def test_functional_draw_error_in_jupyter_is_shown_not_raised(tmp_path):
    # in a kernel, a failing update shows its traceback under the figure (the Output widget) and
    # the notebook goes on
    import nbformat

    from tools.run import execute

    setup = ("import ipywidgets as w\n"
             "from crmlab.explore import explorer\n"
             "from test_nb_explore_widget_image import _failing_setup\n"
             "s = w.IntSlider(value=1)\n"
             "box = explorer(_failing_setup, {'x': s})")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in
                                         (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})", setup,
                                          "s.value = 3", "print('went on')\ns.value = 2")])
    path = tmp_path / "errors.ipynb"
    nbformat.write(nb, path)
    done, _, _ = execute(path)                      # allow_errors=False: a raised error would fail here
    text = nbformat.writes(done)
    assert "went on" in text
    assert "x = 3 is bad" in text                   # the traceback was shown (captured by the Output widget)


def test_unit_draw_error_outside_jupyter_propagates():
    import ipywidgets

    s = ipywidgets.IntSlider(value=1)
    box = crmlab.explore.explorer(_failing_setup, {"x": s})
    assert bytes(box.image.value) == crmlab.explore.render_png(_failing_setup, x=1)
    with pytest.raises(ValueError, match="x = 3 is bad"):
        s.value = 3
    s.value = 2                                     # the explorer still works after the error
    assert bytes(box.image.value) == crmlab.explore.render_png(_failing_setup, x=2)


def test_unit_explorer_records_update_times():
    box = rfm.rfm_explorer(_tx())
    assert len(box.update_ms) == 1                             # the first draw when the cell runs
    box.controls["bins"].value = 3
    box.controls["bins"].value = 4
    assert len(box.update_ms) == 3 and all(0 < t < 60_000 for t in box.update_ms)
