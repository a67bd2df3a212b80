"""The pads a retired pad's refusals name instead (gyrfalcon.launch.windows.pads_in_service).

References: launch/data/sites.toml (Site 1/5 retired 2019-09-26; Site 31/6 Soyuz-2.1a/2.1b,
crew-rated, damaged 2025-11-27 to 2026-03-03; Vostochny 1S at 51.9 deg N, not crew-rated;
Plesetsk 43/4 at 62.9 deg N); station/data/vehicles.toml (Soyuz MS and Progress MS: Soyuz-2.1a,
formerly Soyuz-FG); the ISS's 51.6 deg inclination (the packaged NASA OEM).
"""
from __future__ import annotations

from gyrfalcon.launch.windows import NoFeasibleWindowError, launcher_label, pads_in_service
from gyrfalcon.orbits.iss import iss_ephemeris


def _ids(pairs):
    return [(p.id, lv) for p, lv in pairs]


def test_the_pads_in_service_launch_the_spacecraft_and_reach_the_station():
    # without a target: every Soyuz-2.1a pad in service, Site 31/6 (the same site) first
    assert _ids(pads_in_service("baikonur-1", "2025-11-26", "progress-ms")) == [
        ("baikonur-31", "soyuz-2.1a"), ("vostochny-1s", "soyuz-2.1a"), ("plesetsk-43-4", "soyuz-2.1a")]
    # a crew needs a crew-rated pad; the ISS plane is out of Plesetsk's and Vostochny's reach
    assert _ids(pads_in_service("baikonur-1", "2025-11-26", "soyuz-ms")) == [("baikonur-31", "soyuz-2.1a")]
    assert _ids(pads_in_service("baikonur-1", "2025-11-26", "progress-ms", iss_ephemeris())) == [
        ("baikonur-31", "soyuz-2.1a")]
    # Site 31/6 damaged on 1 Dec 2025: none left for a crew
    assert pads_in_service("baikonur-1", "2025-12-01", "soyuz-ms") == []
    assert launcher_label("soyuz-fg") == "Soyuz-FG" and launcher_label("soyuz-2.1a") == "Soyuz-2.1a"


def test_a_refusal_for_the_pad_alone_does_not_follow_from_the_orbit():
    """5 Dec 2025: the two-orbit window (16.5 deg) is refused only for the damaged Site 31/6;
    26 Nov: for its phase (294 deg)."""
    from gyrfalcon.launch.windows import find_windows

    pad_only = find_windows(iss_ephemeris(), "baikonur-31", "two-orbit", "2025-12-05", 1)
    phase = find_windows(iss_ephemeris(), "baikonur-31", "two-orbit", "2025-11-26", 1)
    assert [w.feasible for w in pad_only + phase] == [False, False]
    assert not NoFeasibleWindowError("x", None, pad_only).follows_from_the_orbit
    assert NoFeasibleWindowError("x", None, phase).follows_from_the_orbit
    assert NoFeasibleWindowError("x").follows_from_the_orbit                  # no window at all
