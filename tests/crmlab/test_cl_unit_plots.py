"""crmlab.plots: each figure draws the numbers of the table it is given, with titles and labels."""
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import kpi, lifecycle, plots, rfm, tiers  # noqa: E402
from crmlab.errors import CRMDataError  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def tx():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame({"order_id": np.arange(n), "customer_id": rng.integers(0, 80, n),
                         "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
                         "amount": rng.gamma(2.0, 20.0, n)})


def _labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.title.get_fontsize() >= 14 and ax.xaxis.label.get_fontsize() >= 12


def test_rfm_heatmap_cells(tx):
    t = rfm.rfm_table(tx)
    ax = plots.plot_rfm_heatmap(t, value=None)
    _labelled(ax)
    grid = ax.images[0].get_array().filled(0)
    assert grid.sum() == len(t)
    # top-left cell is R=5, F=1
    assert grid[0, 0] == ((t.r_score == 5) & (t.f_score == 1)).sum()
    ax2 = plots.plot_rfm_heatmap(t, value="monetary")
    g2 = ax2.images[0].get_array()
    expected = t[(t.r_score == 1) & (t.f_score == 5)]["monetary"]
    if len(expected):
        assert g2[4, 4] == pytest.approx(expected.mean())
    with pytest.raises(CRMDataError, match="r_score"):
        plots.plot_rfm_heatmap(pd.DataFrame({"x": [1]}))


def test_tier_grid_counts(tx):
    t = tiers.five_tier(tx)
    ax = plots.plot_tier_grid(t)
    _labelled(ax)
    grid = ax.images[0].get_array()
    assert grid.sum() == len(t)
    assert grid[0, 0] == ((t.amount_class == "large") & (t.cycle_class == "short")).sum()
    assert any(txt.get_text().startswith("platinum") for txt in ax.texts)


def test_whale_curve_plot_marks_peak():
    ax = plots.plot_whale_curve(pd.Series([50.0, 30.0, 20.0, 10.0, -10.0]))
    _labelled(ax)
    x, y = ax.lines[0].get_data()
    assert y[-1] == pytest.approx(100.0) and y.max() == pytest.approx(110.0)   # 110/100
    assert x[0] == 0.0 and x[-1] == pytest.approx(100.0)


def test_cohort_curves(tx):
    table = lifecycle.cohort_table(tx)
    curve = lifecycle.retention_curve(tx)
    ax = plots.plot_cohort_curves(table, pooled=curve, max_cohorts=4)
    _labelled(ax)
    assert len(ax.lines) == 5
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), curve.to_numpy() * 100)


def test_kpi_trends(tx):
    k = kpi.kpi_table(tx)
    axes = plots.plot_kpi_trends(k, ["active", "revenue"])
    assert len(axes) == 2
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), k["revenue"].to_numpy())
    single = plots.plot_kpi_trends(k, "aov")
    assert single.get_ylabel() == "money per order"
    with pytest.raises(CRMDataError, match="nps"):
        plots.plot_kpi_trends(k, ["nps"])


class _ToyModel:
    """P(alive) = 1 / (1 + 0.1 · x · (T − t_x)): decreases with silence, faster for frequent buyers."""

    calls = 0

    def probability_alive(self, frequency, recency, T):
        _ToyModel.calls += 1
        f, r, t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        return 1.0 / (1.0 + 0.1 * f * (t - r))


def test_p_alive_matrix_with_toy_model():
    ax = plots.plot_p_alive_matrix(_ToyModel(), max_frequency=4, max_recency=12, T=10)
    _labelled(ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (5, 13)
    assert _ToyModel.calls == 1                      # one vectorised call
    assert grid[2, 5] == pytest.approx(1 / (1 + 0.1 * 2 * 5))    # x=2, t_x=5, T=10 → 0.5
    assert np.ma.is_masked(grid[0, 11])              # recency 11 > T = 10 is impossible
    with pytest.raises(CRMDataError, match="max_frequency"):
        plots.plot_p_alive_matrix(_ToyModel(), 0, 10, 10)


def test_p_alive_matrix_with_bgnbd():
    from crmlab import clv
    model = clv.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, freq="W")
    ax = plots.plot_p_alive_matrix(model, max_frequency=10, max_recency=39, T=39)
    grid = ax.images[0].get_array()
    # BG/NBD: a customer with no repeat purchase is alive with probability 1
    np.testing.assert_allclose(grid[0, :], 1.0)
    # bought often and recently (x=10, t_x=39=T) is very likely alive; often but long ago (t_x=5) is not
    assert grid[10, 39] > 0.9 and grid[10, 5] < 0.01


# ----- diagrams of chapters 05 and 06: the whale curve's anatomy, the tier grid's cut-offs, the funnel -----

def _texts(ax):
    return " | ".join(t.get_text() for t in ax.texts)


def test_whale_anatomy_labels_the_figures():
    # total 70; running 80, 110, 120 (peak at 3 of 5 = 60%), 100, 70
    ax = plots.plot_whale_anatomy(pd.Series([80.0, 30.0, 10.0, -20.0, -30.0]), top=0.2, bottom=0.2)
    text = _texts(ax)
    assert "peak 171% at 60% of customers" in text             # 120/70
    assert "top 20% earn 114%" in text                          # 80/70
    assert "40% of customers" in text and "give away 42% of the peak" in text   # 50 of 120
    assert "bottom 20%: 25% of the peak" in text                # 30 of 120
    assert ax.get_xlim() == (0.0, 100.0)
    line = ax.lines[0].get_ydata()
    np.testing.assert_allclose(line, [0, 80 / 0.7, 110 / 0.7, 120 / 0.7, 100 / 0.7, 100])
    plt.close(ax.figure)
    with pytest.raises(CRMDataError, match="total profit"):
        plots.plot_whale_anatomy(pd.Series([-1.0, 0.5]))


def test_whale_anatomy_without_loss_makers_has_no_tail():
    ax = plots.plot_whale_anatomy(pd.Series([5.0, 3.0, 2.0]))
    assert "loss-making tail" not in _texts(ax)
    plt.close(ax.figure)


def test_tier_grid_names_its_cut_offs():
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [100., 100., 5., 5.],
                       "date": ["2024-01-01", "2024-01-08", "2024-01-01", "2024-04-10"]})
    ax = plots.plot_tier_grid(tiers.five_tier(tx, {"cycle": (10, 60), "amount": (20, 50)}))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["short\n≤ 10 d", "medium\n≤ 60 d", "long\n> 60 d"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["large\n> 50.00", "medium\n≤ 50.00", "small\n≤ 20.00"]
    assert "platinum\n1 (50%)" in _texts(ax) and "optimize\n1 (50%)" in _texts(ax)
    plt.close(ax.figure)


def test_lifecycle_funnel_widths_and_rates():
    counts = pd.Series([200, 100, 40, 30], index=["target", "prospect", "opportunity", "customer"])
    ax = plots.plot_lifecycle_funnel(counts)
    widths = [p.get_width() for p in ax.patches]
    assert widths == [100.0, 50.0, 20.0, 15.0]                  # ∝ people, the first step = 100
    assert [p.get_x() for p in ax.patches] == [-50.0, -25.0, -10.0, -7.5]   # centred
    assert [t.get_text() for t in ax.texts] == ["200", "100  (50% of target)", "40  (40% of prospect)",
                                               "30  (75% of opportunity)"]
    plt.close(ax.figure)
    for bad in (pd.Series([0, 1]), pd.Series([5, -1]), [5, 1], pd.Series([], dtype=float)):
        with pytest.raises(CRMDataError, match="counts"):
            plots.plot_lifecycle_funnel(bad)


def test_lifecycle_funnel_from_a_stage_log():
    log = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2, 1, 2, 1, 1, 2, 2],
                        "from_stage": ["target", "target", "target", "prospect", "prospect", "opportunity",
                                       "opportunity", "customer", "dormant", "customer", "dormant"],
                        "to_stage": ["prospect", "prospect", "prospect", "opportunity", "opportunity", "customer",
                                     "customer", "dormant", "customer", "dormant", "lost"]})
    counts = lifecycle.funnel_counts(log)
    # 3 targets/prospects; 1 and 2 reach opportunity and customer and fall dormant; only 1 comes back
    assert counts.to_dict() == {"target": 3, "prospect": 3, "opportunity": 2, "customer": 2,
                                "dormant": 2, "won back": 1}
    with pytest.raises(CRMDataError, match="to_stage"):
        lifecycle.funnel_counts(log.drop(columns="to_stage"))
    ax = plots.plot_lifecycle_funnel(counts)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(lifecycle.FUNNEL_STEPS)
    plt.close(ax.figure)


# ----- chapter 04: text colour by luminance, the RFM heatmap's numbers, the RFM cube diagram -----

def test_text_colour_known_colours():
    # WCAG relative luminance L; black text wins when L ≥ √(1.05·0.05) − 0.05 ≈ 0.179
    assert plots.text_colour("white") == "black"              # L = 1
    assert plots.text_colour((0, 0, 0)) == "white"            # L = 0
    # viridis' dark purple #440154: R 0x44 = 0.267 → ((0.267+0.055)/1.055)^2.4 = 0.058; G 0.004 → 0.0003;
    # B 0x54 = 0.329 → 0.089; L = 0.2126·0.058 + 0.7152·0.0003 + 0.0722·0.089 = 0.019 → white
    assert plots.text_colour("#440154") == "white"
    assert plots.text_colour("#fde725") == "black"            # viridis' yellow, L ≈ 0.80
    assert plots.text_colour((1.0, 0.0, 0.0)) == "black"      # pure red: L = 0.2126 ≥ 0.179
    assert plots.text_colour((0.0, 0.0, 1.0)) == "white"      # pure blue: L = 0.0722
    # grey 0.45: ((0.45+0.055)/1.055)^2.4 = 0.171 < 0.179 → white; grey 0.47: 0.188 → black
    assert plots.text_colour((0.45, 0.45, 0.45)) == "white"
    assert plots.text_colour((0.47, 0.47, 0.47)) == "black"
    assert plots.text_colour((0.0, 0.0, 0.0, 0.0)) == "black"  # fully transparent over a white page
    with pytest.raises(CRMDataError, match="rgba"):
        plots.text_colour("not-a-colour")


def test_rfm_heatmap_text_reads_on_its_square(tx):
    ax = plots.plot_rfm_heatmap(rfm.rfm_table(tx), None)
    image = ax.images[0]
    table = image.get_array()
    for text in ax.texts:
        x, y = text.get_position()
        fill = image.cmap(image.norm(table[int(y), int(x)]))
        assert text.get_color() == plots.text_colour(fill)
    colours = {t.get_color() for t in ax.texts}
    assert colours == {"black", "white"}                      # viridis runs from dark purple to yellow


def test_rfm_cube_diagram():
    ax = plots.plot_rfm_cube()
    assert ax.get_title() == "5 × 5 × 5 = 125 RFM cells"
    faces, marked = ax.collections
    assert len(faces.get_paths()) == 3 * 25 and len(marked.get_paths()) == 3
    texts = [t.get_text() for t in ax.texts]
    for code in ("555", "543", "111"):
        assert code in texts
    assert "543 = R 5, F 4, M 3" in "\n".join(texts)
    ax = plots.plot_rfm_cube(bins=3, highlight="313")
    assert ax.get_title() == "3 × 3 × 3 = 27 RFM cells" and len(ax.collections[0].get_paths()) == 27
    with pytest.raises(CRMDataError, match="highlight.*inside"):
        plots.plot_rfm_cube(highlight=["333"])                # not on a visible face
    with pytest.raises(CRMDataError, match="highlight"):
        plots.plot_rfm_cube(highlight=["56"])
    with pytest.raises(CRMDataError, match="bins"):
        plots.plot_rfm_cube(bins=10)
