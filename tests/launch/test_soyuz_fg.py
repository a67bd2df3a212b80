"""The 2016-2019 crewed launcher (Soyuz-FG from Baikonur Site 1/5) in the catalogues."""
import pytest

from gyrfalcon.launch.sites import load_sites
from gyrfalcon.launch.vehicles import load_vehicle
from gyrfalcon.launch.windows import plane_lead_s


def test_soyuz_fg_is_in_the_vehicle_catalogue_with_sources():
    fg = load_vehicle("soyuz-fg")
    a = load_vehicle("soyuz-2.1a")
    assert [s.id for s in fg.stages] == ["strapons", "core", "blok-i"]
    # RD-0110 third stage (KBKhA 297.93 kN, 326 s) as on Soyuz-2.1a; RD-107A/108A first two stages
    assert fg.stages[2].thrust_vac_n == pytest.approx(297930.0) and fg.stages[2].isp_vac_s == pytest.approx(326.0)
    assert fg.stages[0].engine.startswith("RD-107A") and fg.stages[1].engine.startswith("RD-108A")
    for st in fg.stages:
        for fig in st.figures.values():
            assert fig.source and fig.grade          # every figure has a source and a grade
    # the surrogate of its own 3-DOF run from Site 1/5 lands where the 2.1a one does (same stages)
    assert fg.insertion_model["met_s"] == pytest.approx(a.insertion_model["met_s"], abs=1.0)
    assert fg.insertion_model["downrange_rad"] == pytest.approx(a.insertion_model["downrange_rad"], abs=1e-3)
    assert plane_lead_s("soyuz-fg", "soyuz-ms") > 0


def test_site_1_5_flies_soyuz_fg_until_ms_15():
    pad = load_sites().get("1/5")
    assert pad.id == "baikonur-1" and "soyuz-fg" in pad.vehicles
    # Soyuz MS-15, the last FG and the last launch from Site 1/5: 25 Sep 2019 13:57:43 UTC
    assert pad.status_at("2019-09-25T12:57:00Z").available
    assert not pad.status_at("2019-10-01T00:00:00Z").available
    # Soyuz MS-08 (21 Mar 2018) from the same pad
    assert pad.status_at("2018-03-21T16:44:00Z").available
