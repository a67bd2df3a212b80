"""Campaign summaries against closed forms: the Wilson score interval of a binomial proportion
(Wilson 1927; for 50 successes in 50 trials the 95 % interval is 0.9287-1, for 0 in 10 it is
0-0.2775, the textbook values), and a campaign where every run aborts (no contact: no delay)."""
from __future__ import annotations

import math

import pyarrow as pa
import pytest

from gyrfalcon.scale.report import rate_text, summarize, wilson_interval


def _table(captured):
    n = len(captured)
    return pa.table({"captured": captured, "failure": [None if c else "abort: back_away" for c in captured],
                     "contact_delay_s": [10.0 if c else None for c in captured],
                     "rendezvous_dv_mps": [114.0] * n, "total_dv_mps": [120.0] * n,
                     "handover_miss_m": [50.0] * n})


def test_all_captured_gives_an_interval_not_a_point():
    s = summarize(_table([True] * 50))
    assert s.success_rate == 1.0 and s.success_rate_stderr == 0.0          # the standard error says +- 0
    assert s.success_rate_ci95 == pytest.approx((0.9287, 1.0), abs=1e-4)
    assert rate_text(s) == "100.0 %, 95 % interval 92.9-100.0 %"


def test_wilson_matches_the_closed_form_at_an_interior_point():
    k, n, z = 37, 40, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), rel=1e-12)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)


def test_a_campaign_where_every_run_aborts_has_no_delay():
    s = summarize(_table([False] * 8))
    assert s.captured == 0 and all(math.isnan(x) for x in s.contact_delay_p_s)
    assert s.success_rate_ci95 == pytest.approx((0.0, 0.3244), abs=1e-4)
    assert s.failures == (("abort: back_away", 8),)


def test_a_rate_just_below_one_is_not_printed_as_one_nor_under_its_interval():
    """An audit: 1999 of 2000 printed "100.0 %", and 19999 of 20000 "99.995 %, 95 % interval
    100.0-99.999 %" (a lower bound above the upper). Wilson bounds for 19999/20000: 0.99972-0.99999."""
    from types import SimpleNamespace

    s = SimpleNamespace(success_rate=1999 / 2000, success_rate_ci95=wilson_interval(1999, 2000))
    assert rate_text(s).startswith("99.95 %")
    s = SimpleNamespace(success_rate=19999 / 20000, success_rate_ci95=wilson_interval(19999, 20000))
    text = rate_text(s)
    lo, hi = (float(x) for x in text.split("interval ")[1].rstrip(" %").split("-"))
    assert text.startswith("99.995 %") and lo <= 99.995 <= hi < 100.0
