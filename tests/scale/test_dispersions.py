"""Dispersion models: declared values, sampling statistics, seeds, parsing errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.scale.dispersions import (DispersionError, Dispersions, draw_run, parse_dispersions,
                                          split_scenario_text)


def test_insertion_sigmas_are_the_published_accuracy_as_three_sigma():
    # domain.md 1.3: nominal crewed insertion 200 +- 2 x 242 +- 5 km (Roscosmos via RSW, B)
    d = Dispersions()
    assert d.insertion.perigee_sigma_m * 3 == pytest.approx(2000.0)
    assert d.insertion.apogee_sigma_m * 3 == pytest.approx(5000.0)


def test_sample_statistics_match_the_declared_models():
    d = Dispersions()
    draws = [draw_run(d, 11, i, n_burns=4) for i in range(3000)]
    per = np.array([x.perigee_offset_m for x in draws])
    apo = np.array([x.apogee_offset_m for x in draws])
    ds = np.array([x.drag_scale for x in draws])
    along = np.array([x.station_dr_rtn_m[1] for x in draws])
    mag = np.array([x.burn_scale[0] for x in draws])
    # sample std within 4 standard errors (se of a std ~ sigma / sqrt(2N) = 1.3 %)
    assert np.std(per) == pytest.approx(2000 / 3, rel=0.052)
    assert np.std(apo) == pytest.approx(5000 / 3, rel=0.052)
    assert np.std(along) == pytest.approx(100.0, rel=0.052)
    assert np.std(mag - 1) == pytest.approx(0.005, rel=0.052)
    # log-normal density scale: log has the declared sigma, and the mean is density_scale_mean (1)
    # as its name says (an audit found the median at 1 and the mean at e^(sigma^2/2) = 1.011)
    assert np.std(np.log(ds)) == pytest.approx(0.15, rel=0.052)
    more = np.array([draw_run(d, 12, i, n_burns=4).drag_scale for i in range(12000)])
    assert abs(np.mean(more) - 1.0) < 4 * np.std(more) / math.sqrt(12000)      # 0.0055: the old 1.011 fails
    assert abs(np.median(np.log(ds)) + 0.5 * 0.15 ** 2) < 4 * 0.15 * 1.2533 / math.sqrt(3000)
    # independent models: no correlation between perigee and apogee draws
    assert abs(np.corrcoef(per, apo)[0, 1]) < 4 / math.sqrt(3000)


def test_a_run_is_redrawn_exactly_and_runs_differ():
    d = Dispersions()
    assert draw_run(d, 5, 42) == draw_run(d, 5, 42)
    assert draw_run(d, 5, 42) != draw_run(d, 5, 43)
    assert draw_run(d, 5, 42) != draw_run(d, 6, 42)


def test_switching_one_model_off_keeps_the_others_draws():
    d = Dispersions()
    a, b = draw_run(d, 3, 7), draw_run(d.without("insertion"), 3, 7)
    assert b.perigee_offset_m == 0.0 and b.separation_dt_s == 0.0 and a.perigee_offset_m != 0.0
    assert (a.burn_scale, a.drag_scale, a.station_dr_rtn_m, a.approach_seed) == \
        (b.burn_scale, b.drag_scale, b.station_dr_rtn_m, b.approach_seed)
    z = draw_run(d.only(), 3, 7)
    assert z.burn_scale == (1.0,) * 8 and z.drag_scale == 1.0 and z.station_dv_rtn_mps == (0.0, 0.0, 0.0)
    assert z.kurs_bias_fraction == 0.0


def test_table_in_a_scenario_is_split_and_parsed():
    text = ('name = "x"\n[launch]\ntime = "2025-11-27T09:27:57.4Z"\n[dispersions]\nseed = 9\n'
            '[dispersions.atmosphere]\ndensity_scale_sigma = 0.3\n[docking]\nport = "rassvet-nadir"\n')
    sc, dt = split_scenario_text(text)
    assert "dispersions" not in sc and "[docking]" in sc and "[launch]" in sc
    d = parse_dispersions(dt)
    assert d.seed == 9 and d.atmosphere.density_scale_sigma == 0.3 and d.burns.pointing_sigma_deg == 0.3


def test_bad_tables_are_typed_errors_that_say_what_works():
    with pytest.raises(DispersionError, match="unknown key; allowed"):
        parse_dispersions({"insertion": {"perigee_sigma_km": 1}})
    with pytest.raises(DispersionError, match="greater than or equal to 0"):
        parse_dispersions({"burns": {"pointing_sigma_deg": -1}})
    with pytest.raises(DispersionError, match="not valid TOML"):
        parse_dispersions("[dispersions\n")
    assert issubclass(DispersionError, InputError)
    with pytest.raises(DispersionError, match="unknown dispersion model"):
        Dispersions().without("wind")


@pytest.mark.parametrize("table, words", [
    ({"station": {"velocity_sigma_rtn_mps": [float("nan"), 0.0, 0.0]}}, "finite number"),
    ({"station": {"position_sigma_rtn_m": [-100.0, 0.0, 0.0]}}, "greater than or equal to 0"),
    ({"insertion": {"perigee_sigma_m": 45000.0}}, "less than or equal to 10000"),
])
def test_sigmas_that_are_not_dispersions_are_refused(table, words):
    """Found by an audit: NaN reached a traceback, a negative sigma passed, a 45 km perigee sigma
    aborted the whole campaign on its first suborbital draw."""
    from gyrfalcon.scale.dispersions import DispersionError, parse_dispersions

    with pytest.raises(DispersionError, match=words):
        parse_dispersions(table)
