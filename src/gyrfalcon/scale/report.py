"""Campaign summary (success rate, delta-v percentiles, contact times, failure causes) and HTML report.

Success = the approach's verdict is ``captured`` at the scenario's port. The success rate's
standard error is the binomial ``sqrt(p (1 - p) / N)``. Percentiles (5, 50, 95) are numpy's
linear interpolation over the runs that have the value (delta-v: all runs that finished the
rendezvous; contact delay: captured runs only, seconds after the nominal run's contact).

>>> import pyarrow as pa
>>> t = pa.table({"captured": [True, True, False, True], "failure": ["", "", "aborted: 3 Kurs updates", ""],
...               "rendezvous_dv_mps": [110.0, 112.0, 111.0, 113.0], "total_dv_mps": [120.0, 121.0, None, 122.0],
...               "contact_delay_s": [1.0, -1.0, None, 3.0], "handover_miss_m": [1.0, 2.0, 3.0, 4.0]})
>>> s = summarize(t)
>>> s.runs, s.success_rate, s.failures
(4, 0.75, (('aborted: N Kurs updates', 1),))
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Summary", "summarize", "write_html"]

PERCENTILES = (5, 50, 95, 99)


@dataclass(frozen=True)
class Summary:
    """Scalars of a campaign (SI units); ``*_p`` are the (5, 50, 95, 99) percentiles, NaN when no run has the value."""

    runs: int
    captured: int
    success_rate: float
    success_rate_stderr: float
    success_rate_ci95: tuple   # Wilson score interval (lo, hi): honest at 0 or all captured, where stderr is 0
    rendezvous_dv_p_mps: tuple
    total_dv_p_mps: tuple
    contact_delay_p_s: tuple
    handover_miss_p_m: tuple
    failures: tuple            # ((cause, count), ...) most frequent first; numbers in causes -> N

    def to_dict(self) -> dict:
        return asdict(self)


def _pct(col) -> tuple:
    a = np.array([x for x in col if x is not None and not (isinstance(x, float) and math.isnan(x))], float)
    if a.size == 0:
        return tuple(float("nan") for _ in PERCENTILES)
    return tuple(float(v) for v in np.percentile(a, PERCENTILES))


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple:
    """The Wilson score interval of a success rate ``k / n`` (95 % for the default ``z``): unlike
    p +- z*stderr it does not shrink to a point when every run (or none) succeeds.

    >>> tuple(round(x, 4) for x in wilson_interval(50, 50))
    (0.9287, 1.0)
    >>> tuple(round(x, 4) for x in wilson_interval(0, 10))
    (0.0, 0.2775)
    """
    if n <= 0:
        return (float("nan"), float("nan"))
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def percent_text(p: float) -> str:
    """A rate in percent to 0.1, with as many more decimals as it takes not to round a rate below
    1 up to 100 % (1999 of 2000 is 99.95 %, not 100.0 %).

    >>> percent_text(1.0), percent_text(1999 / 2000), percent_text(0.5)
    ('100.0', '99.95', '50.0')
    """
    for places in range(1, 6):
        text = f"{100 * p:.{places}f}"
        if p >= 1.0 or float(text) < 100.0:
            return text
    return f"{100 * p:.6f}"


def rate_text(s: "Summary") -> str:
    """``"100.0 %, 95 % interval 92.9-100.0 %"``: the success rate as the reports print it."""
    lo, hi = s.success_rate_ci95
    low = f"{100 * lo:.1f}"
    if float(low) > 100 * s.success_rate:                   # rounded above the rate (19999 of 20000): floored
        low = f"{math.floor(1000 * lo) / 10:.1f}"
    return f"{percent_text(s.success_rate)} %, 95 % interval {low}-{percent_text(hi)} %"


def summarize(table) -> Summary:
    """The :class:`Summary` of a campaign table (pyarrow.Table with the run columns)."""
    d = table.to_pydict()
    cap = [bool(x) for x in d["captured"]]
    n = len(cap)
    k = sum(cap)
    p = k / n if n else float("nan")
    causes: dict = {}
    for c in d["failure"]:
        if c:
            key = re.sub(r"\d+(\.\d+)?", "N", c)
            causes[key] = causes.get(key, 0) + 1
    delays = [x for x, ok in zip(d["contact_delay_s"], cap) if ok]
    return Summary(runs=n, captured=k, success_rate=p,
                   success_rate_stderr=math.sqrt(p * (1 - p) / n) if n else float("nan"),
                   success_rate_ci95=wilson_interval(k, n),
                   rendezvous_dv_p_mps=_pct(d["rendezvous_dv_mps"]), total_dv_p_mps=_pct(d["total_dv_mps"]),
                   contact_delay_p_s=_pct(delays), handover_miss_p_m=_pct(d["handover_miss_m"]),
                   failures=tuple(sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))))


def dispersion_rows(dispersions) -> list:
    """``[(model.key, value), ...]`` of a :class:`~.dispersions.Dispersions` (the campaign seed
    is reported apart), in the models' order, for the report.

    >>> from gyrfalcon.scale.dispersions import Dispersions
    >>> dispersion_rows(Dispersions())[:2]
    [('insertion.perigee_sigma_m', '666.667'), ('insertion.apogee_sigma_m', '1666.67')]
    """
    if dispersions is None:
        return []
    d = dispersions.model_dump(mode="json")
    out = []
    for model, params in d.items():
        if not isinstance(params, dict):
            continue
        for k, v in params.items():
            val = ", ".join(f"{x:g}" for x in v) if isinstance(v, (list, tuple)) else (f"{v:g}" if isinstance(v, float) else str(v))
            out.append((f"{model}.{k}", val))
    return out


def _png(fig) -> str:
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def write_html(result, path, title: str = "Monte Carlo campaign") -> None:
    """A self-contained HTML report of a :class:`~.campaign.CampaignResult` (figures inline, matplotlib Agg)."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = result.summary
    d = result.table.to_pydict()
    figs = []
    specs = [("rendezvous_dv_mps", "rendezvous delta-v [m/s]"), ("contact_delay_s", "contact - nominal contact [s]"),
             ("handover_miss_m", "hand-over miss [m]"), ("total_dv_mps", "rendezvous + approach delta-v [m/s]")]
    for col, label in specs:
        vals = np.array([x for x in d[col] if x is not None and math.isfinite(x)], float)
        fig, ax = plt.subplots(figsize=(5, 3))
        if vals.size:
            ax.hist(vals, bins=min(50, max(5, vals.size // 5)))
        ax.set_xlabel(label)
        ax.set_ylabel("runs")
        figs.append((label, _png(fig)))
        plt.close(fig)
    if s.failures:
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.barh([c for c, _ in s.failures], [n for _, n in s.failures])
        ax.set_xlabel("runs")
        figs.append(("failures by cause", _png(fig)))
        plt.close(fig)
    f3 = lambda t, u: " / ".join("-" if math.isnan(x) else f"{x:.2f}" for x in t) + f" {u}"   # -: no run has it
    rows = [("runs", s.runs), ("captured", s.captured),
            ("success rate", rate_text(s)),
            ("rendezvous dv p5/p50/p95/p99", f3(s.rendezvous_dv_p_mps, "m/s")),
            ("total dv p5/p50/p95/p99", f3(s.total_dv_p_mps, "m/s")),
            ("contact delay p5/p50/p95/p99", f3(s.contact_delay_p_s, "s")),
            ("hand-over miss p5/p50/p95/p99", f3(s.handover_miss_p_m, "m")),
            ("nominal contact", result.nominal.nominal_contact_utc),
            ("campaign seed", result.campaign_seed), ("workers", result.workers),
            ("wall time", f"{result.wall_s:.1f} s")]
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    drows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in dispersion_rows(result.dispersions))
    warns = "".join(f"<li>{html.escape(str(w))}</li>" for w in getattr(result, "warnings", ()) or ())
    warns = f"<h2>Station data warnings</h2><ul class='warnings'>{warns}</ul>" if warns else ""
    rules = "".join(f"<li>{html.escape(str(n))}</li>" for n in getattr(result.nominal, "rule_notes", ()) or ())
    warns += f"<h2>What-if: station rules broken</h2><ul class='warnings'>{rules}</ul>" if rules else ""
    fails = "".join(f"<tr><td>{html.escape(c)}</td><td>{n}</td></tr>" for c, n in s.failures) or \
        "<tr><td colspan=2>none</td></tr>"
    imgs = "".join(f"<figure><img alt='{html.escape(l)}' src='data:image/png;base64,{b}'>"
                   f"<figcaption>{html.escape(l)}</figcaption></figure>" for l, b in figs)
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
           "figure{display:inline-block;margin:8px}</style></head><body>"
           f"<h1>{html.escape(title)}</h1>{warns}<table>{body}</table>"
           f"<h2>Dispersions (1 sigma unless named otherwise)</h2><table class='dispersions'>{drows}</table>"
           "<h2>Failures by cause</h2>"
           f"<table>{fails}</table><h2>Distributions</h2>{imgs}</body></html>")
    from pathlib import Path

    Path(path).write_text(doc, encoding="utf-8")
