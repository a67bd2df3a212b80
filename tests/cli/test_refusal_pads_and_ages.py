"""Refusals from a retired pad and from old station data, as every command and the library say
them (code review): ``run`` names the pads in service as ``rendezvous`` does; a pad is named as
"pad <id>", not as a command-line flag, and once when the refusals of several schemes are joined;
a refusal for the pad alone is read from the window, not from its text; the vehicle option is
named as typed; an OEM's age is counted from its creation ("were made"), not as its end.

References: Progress MS-13 lifted off 2019-12-06 09:34:11 UTC from Site 31/6 (Soyuz-2.1a); Site 1/5
(Soyuz-FG) is retired since 2019-09-26 with no return recorded (launch/data/sites.toml). The
packaged NASA ISS OEM was created 2025-11-24T20:10:39Z and holds samples to 2025-12-09; Site 31/6 is
damaged from 2025-11-27 to 2026-03-03.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gyrfalcon as gf
from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import default_scenario_text
from tests.typer_apps import one_line_exit_2

runner = CliRunner()
OLD_TLES = str(Path(__file__).resolve().parents[1] / "data" / "iss_tles_public.csv")
MS13 = "2019-12-06T09:34:11Z"
IN_SERVICE = "pads in service then that fly progress-ms at this liftoff: pad baikonur-31 (Soyuz-2.1a)"
pytestmark = pytest.mark.filterwarnings("ignore::gyrfalcon.errors.StationDataWarning")


def _scenario(tmp_path, name: str, **launch) -> Path:
    """The packaged MS-28 scenario as a Progress flight (no crew, no return) from ``launch``'s pad
    and launcher, at ``time`` or searching from ``first_feasible_after``."""
    text = default_scenario_text().split("[real]")[0]
    text = text.replace('name = "Soyuz MS-28"', 'name = "Progress MS-13"')
    keys = {"spacecraft": '"progress-ms"', "names": "[]", "countdown": "[]",
            "launcher": f'"{launch.pop("launcher")}"', "pad": f'"{launch.pop("pad")}"', "enabled": "false",
            "land_on": None, "first_feasible_after": None, "search_days": None}
    for key, value in keys.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", "" if value is None else f"{key} = {value}", text)
        assert n == 1, key
    text = text.replace("[launch]\n", "[launch]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"')
                                                             for k, v in launch.items()))
    text = text.replace("[stay]\n", "[stay]\ndays = 180\n")
    f = tmp_path / f"{name}.toml"
    f.write_text(text)
    return f


# ---- 1. run names the pads in service, as rendezvous does; following it flies ------------------
def test_run_from_a_retired_pad_names_the_pads_in_service_as_rendezvous_does_and_following_it_flies(tmp_path):
    """Before: "...no return to service is recorded; to fly it anyway as a what-if..." alone."""
    sc = _scenario(tmp_path, "retired", pad="baikonur-1", launcher="soyuz-fg", time=MS13)
    line = one_line_exit_2(runner.invoke(app, ["run", str(sc), "--station-tle", OLD_TLES, "--no-files"]),
                           "rule pad-operational", "no return to service is recorded", IN_SERVICE, "--what-if")
    assert line.index(IN_SERVICE) < line.index("to fly it anyway")
    ref = one_line_exit_2(runner.invoke(app, ["rendezvous", "--station-tle", OLD_TLES, "--pad", "baikonur-1",
                                              "--launch", MS13, "--vehicle", "progress-ms"]), IN_SERVICE)
    assert "--pad" not in line + ref
    follow = _scenario(tmp_path, "follow", pad="baikonur-31", launcher="soyuz-2.1a", time=MS13)
    res = runner.invoke(app, ["run", str(follow), "--station-tle", OLD_TLES, "--no-files", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["launch_utc"].startswith(MS13[:19]) and d["contact_utc"] and not d["what_if"]



def test_montecarlo_from_a_retired_pad_names_the_pads_in_service_as_run_does(tmp_path):
    """The campaign's nominal flight checks the station rules with its station, so its refusal is
    completed as run's is; nothing is written."""
    sc = _scenario(tmp_path, "retired", pad="baikonur-1", launcher="soyuz-fg", time=MS13)
    out = tmp_path / "mc"
    one_line_exit_2(runner.invoke(app, ["montecarlo", str(sc), "--station-tle", OLD_TLES, "--runs", "4",
                                        "--out", str(out)]), "rule pad-operational", IN_SERVICE)
    assert not out.exists()

def test_the_runner_refusal_without_the_station_is_left_as_it_was():
    """``completed_scheme_refusals`` completes only a refusal that carries the station (as the
    runner's flight attaches it); one without is passed on unchanged."""
    from gyrfalcon.api import completed_scheme_refusals
    from gyrfalcon.traffic.flight_rules import WhatIfRequiredError

    exc = WhatIfRequiredError("pad refused; to fly it anyway as a what-if")
    with pytest.raises(WhatIfRequiredError) as got:
        with completed_scheme_refusals():
            raise exc
    assert got.value is exc


# ---- 2. the pads in service named once, as "pad <id>" ------------------------------------------
def test_next_window_auto_from_a_retired_pad_names_the_pad_in_service_once_and_it_has_that_window():
    """Before: "--pad baikonur-31 (Soyuz-2.1a; ...)" once per scheme (three times, 1,607 characters)."""
    with pytest.raises(gf.GyrfalconError) as exc:
        gf.next_window(None, "baikonur-1", after="2025-11-26", days=2)
    msg = str(exc.value)
    assert "--pad" not in msg and msg.count("pads in service on") == msg.count("more days will not help") == 1
    assert all(f"no feasible {s} window from baikonur-1" in msg for s in ("two-orbit", "four-orbit", "two-day"))
    m = re.search(r"pad baikonur-31 \(Soyuz-2\.1a; its first (\S+) window (\S+)\)", msg)
    w = gf.next_window(None, "baikonur-31", after="2025-11-26", days=2)          # following it: that window
    assert (m.group(1), m.group(2)) == (w.scheme, gf.iso_utc(w.launch_utc, 0))
    one = pytest.raises(gf.GyrfalconError, gf.next_window, None, "baikonur-1", after="2025-11-26", days=2,
                        scheme="two-orbit")
    assert "pad baikonur-31 (Soyuz-2.1a; its first two-orbit window 2025-11-27T09:28" in str(one.value)


def test_a_scenario_searching_from_a_retired_pad_names_the_pad_once_and_no_more_days(tmp_path):
    sc = _scenario(tmp_path, "search", pad="baikonur-1", launcher="soyuz-fg", first_feasible_after="2025-11-26",
                   search_days=2)
    text = sc.read_text().replace('scheme = "two-orbit"', 'scheme = "auto"').replace('"progress-ms"', '"soyuz-ms"')
    sc.write_text(text)
    line = one_line_exit_2(runner.invoke(app, ["run", str(sc), "--no-files"]),
                           "more days will not help", "pad baikonur-31 (Soyuz-2.1a; its first two-day window",
                           "set launch.pad to a pad in service")
    assert line.count("pads in service on") == 1 and "search more days" not in line and "--pad" not in line


def test_the_clause_of_several_schemes_gives_each_pad_its_earliest_window_or_none():
    from gyrfalcon.launch.windows import NoFeasibleWindowError, PadsInService, joined_refusals

    early, late = (gf.find_windows(None, "baikonur-31", start=d, days=1)[0] for d in ("2025-11-26", "2025-11-27"))
    a = PadsInService("2025-11-26", "soyuz-ms", (("baikonur-31", "soyuz-2.1a", (("two-orbit", late),)),))
    b = PadsInService("2025-11-26", "soyuz-ms", (("baikonur-31", "soyuz-2.1a", (("two-day", early),)),))
    c = PadsInService("2025-11-26", "soyuz-ms", (("baikonur-31", "soyuz-2.1a", (("four-orbit", None),)),))
    text = joined_refusals([NoFeasibleWindowError("A", None, (), a), NoFeasibleWindowError("B", None, (), b),
                            NoFeasibleWindowError("C")])
    assert text == (f"A; B; C; more days will not help; pads in service on 2025-11-26 that launch soyuz-ms: pad "
                    f"baikonur-31 (Soyuz-2.1a; its first two-day window {gf.iso_utc(early.launch_utc, 0)})")
    d = PadsInService("2025-11-26", "soyuz-ms", (("baikonur-31", "soyuz-2.1a", (("two-day", None),)),))
    assert PadsInService.merged([c, d]).text().endswith("pad baikonur-31 (Soyuz-2.1a; no feasible four-orbit or "
                                                        "two-day window in this span either)")
    assert str(NoFeasibleWindowError("A", None, (), c)) == "A; " + c.text()


# ---- 3. a refusal for the pad alone: from the window, not its text -----------------------------
def test_a_refusal_for_the_pad_alone_is_read_from_the_window_not_from_its_reason():
    """5 Dec 2025: the two-orbit window (16.5 deg, inside the range) is refused for the damaged
    Site 31/6 alone; 26 Nov: for its phase (the pad was in service)."""
    from gyrfalcon.refusals import windows_refusal_text
    from gyrfalcon.launch.windows import NoFeasibleWindowError, refused_for_pad_only

    eph = gf.station_ephemeris(None)
    pad_only = gf.find_windows(eph, start="2025-12-05", days=1)[0]
    phase = gf.find_windows(eph, start="2025-11-26", days=1)[0]
    assert not pad_only.pad_available and phase.pad_available and not pad_only.feasible
    assert refused_for_pad_only(pad_only) and not refused_for_pad_only(phase)
    assert gf.find_windows(eph, start="2025-12-05", days=1, what_if=True)[0].pad_available

    def says_pad(w):
        return windows_refusal_text([NoFeasibleWindowError("x", None, [w])], eph, "2025-12-05", False)[1]

    assert says_pad(dataclasses.replace(pad_only, reason="refused"))           # whatever the text says
    assert not says_pad(dataclasses.replace(phase, reason=pad_only.reason))    # a pad in service
    assert not windows_refusal_text([NoFeasibleWindowError("x", None, [pad_only])], eph, "2025-12-05", True)[1]


# ---- 4. the vehicle option named as typed --------------------------------------------------------
@pytest.mark.parametrize("option", ["--vehicle", "--spacecraft"])
def test_windows_names_the_vehicle_option_as_typed_and_its_suggestion_works(option):
    """Before: ``windows --spacecraft crew-dragon`` said "--vehicle crew-dragon: ..."."""
    line = one_line_exit_2(runner.invoke(app, ["windows", option, "crew-dragon"]),
                           f"{option} crew-dragon: not a vehicle the rendezvous model flies",
                           f"use {option} progress-ms or {option} soyuz-ms")
    other = "--spacecraft" if option == "--vehicle" else "--vehicle"
    assert f"{other} crew-dragon" not in line
    res = runner.invoke(app, ["windows", option, "progress-ms", "--days", "2", "--json"])
    assert res.exit_code == 0, res.output
    from gyrfalcon.launch.windows import plane_lead_s

    assert json.loads(res.stdout)[0]["plane_lead_s"] == round(plane_lead_s("soyuz-2.1a", "progress-ms"), 1)


# ---- 5. an OEM's age: when it was made ----------------------------------------------------------
def test_an_oem_refusal_says_when_the_data_were_made_with_the_loaders_figure():
    """Before: "the station data end 4.2 days before the search start" of an OEM whose samples
    run to 2025-12-09 (its data_end_utc is the file's creation, 2025-11-24T20:10:39Z)."""
    line = one_line_exit_2(runner.invoke(app, ["windows", "--from", "2025-11-29", "--days", "2"]),
                           "note: the station data were made 4.2 days before the search start",
                           "use an OEM created in the days before the search start")
    assert "data end" not in line
    km = re.search(r"\(~(\d+) km along-track error expected\)", line).group(1)
    st = gf.load_station(None, at_utc="2025-11-29T00:00:00Z")
    assert st.kind == "embedded" and st.data_end_utc.startswith("2025-11-24") and st.span[1] >= "2025-12-09"
    assert any("are 4.2 days older than 2025-11-29T00:00:00Z" in w and f"expect ~{km} km" in w
               for w in st.warnings)                                   # the loader's age and figure
