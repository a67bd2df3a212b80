"""Station catalogue: the eight ISS ports, their mechanisms and 1 Dec 2025 occupants, vehicle types.

References: domain.md section 4.1 (port table) and 4.2 (Russian-segment port positions),
copied verbatim to tests/data/domain_4_iss_ports.md; the launch-pad catalogue
(gyrfalcon/launch/data/sites.toml, written independently); seed 000 (Soyuz MS-28: three
crew, 240 days planned); missions.csv (Soyuz MS-27 launch 2025-04-08) with domain.md 4.1
(MS-27 left 9 Dec 2025) for the longest Soyuz MS stay flown.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest

from gyrfalcon.errors import GyrfalconError, InputError
from gyrfalcon.station.catalog import (
    IncompatibleVehicleError,
    UnknownOccupancyError,
    UnknownPortError,
    UnknownStationError,
    UnknownVehicleTypeError,
    load_station,
    load_vehicle_types,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "domain_4_iss_ports.md"
GRADES = re.compile(r"^[ABCD?](/[ABCD?])*$")


def _domain_ports():
    """Rows of the domain.md 4.1 table: (module, direction, port type text, occupant text)."""
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].isdigit():
            name = re.sub(r"\*\*|\(.*?\)", "", cells[1]).strip()          # "Rassvet , nadir"
            module, direction = [s.strip() for s in name.split(",")]
            rows.append((module.split()[0].lower(), direction.lower(), cells[2], cells[4]))
    return rows


def _mechanism_from_text(text: str) -> str:
    if "hybrid" in text:
        return "ssvp-hybrid"
    if "SSVP" in text:
        return "ssvp"
    if "IDSS" in text:
        return "idss"
    if "CBM" in text:
        return "cbm"
    raise AssertionError(text)


_OCCUPANT = [("Soyuz MS", "soyuz-ms"), ("Progress MS", "progress-ms"), ("cargo Dragon", "cargo-dragon"),
             ("Crew-11 Dragon", "crew-dragon"), ("HTV-X", "htv-x"), ("Cygnus XL", "cygnus-xl")]


def test_eight_ports_match_domain_table():
    iss = load_station("iss")
    rows = _domain_ports()
    assert len(rows) == 8 == len(iss.ports)
    by_place = {(p.module, p.direction): p for p in iss.ports}
    assert set(by_place) == {(m, d) for m, d, _, _ in rows}
    for module, direction, port_type, _ in rows:
        assert by_place[(module, direction)].mechanism == _mechanism_from_text(port_type), (module, direction)


def test_first_december_occupants_match_domain_table():
    iss = load_station()
    snap = iss.occupancy("2025-12-01")
    occupied = dict(snap.ports)
    assert len(occupied) == 8
    by_place = {(p.module, p.direction): p.id for p in iss.ports}
    for module, direction, _, occupant in _domain_ports():
        entry = occupied[by_place[(module, direction)]]
        expected_type = next(v for key, v in _OCCUPANT if key in occupant)
        assert entry.vehicle == expected_type, occupant
        flight_key = re.search(r"MS-\d+|CRS-\d+|Crew-\d+|HTV-X\d|NG-\d+", occupant).group(0)
        assert flight_key in entry.flight, (occupant, entry.flight)
    # at MS-28's arrival NG-23 was on the arm and Rassvet was free for MS-28 (domain.md 4.1/4.2)
    before = iss.occupancy("2025-11-27").vehicle_types()
    assert set(snap.vehicle_types()) - set(before) == {"rassvet-nadir", "unity-nadir"}


def test_russian_port_positions_are_the_domain_estimates():
    text = DATA.read_text(encoding="utf-8").replace("\u2212", "-")
    found = dict((name.lower(), tuple(float(x) for x in xyz))
                 for name, *xyz in re.findall(r"(Rassvet|Poisk|Prichal|Zvezda aft) \(([-+\d.]+), ([-+\d.]+), ([-+\d.]+)\)",
                                              text))
    assert len(found) == 4
    iss = load_station()
    for name, pid in [("rassvet", "rassvet-nadir"), ("poisk", "poisk-zenith"), ("prichal", "prichal-nadir"),
                      ("zvezda aft", "zvezda-aft")]:
        assert iss.port(pid).position_m == pytest.approx(found[name], abs=1e-9)
        assert iss.port(pid).position_conf == "C"


def test_module_chain_reproduces_the_domain_layout():
    """Destiny..Zvezda placed end to end with the domain.md 4.2 lengths (closed form) meet the
    domain's Zvezda-aft and Rassvet x estimates to within the docking-ring and port offsets."""
    iss = load_station()
    chain = ["destiny", "unity", "pma-1", "zarya", "zvezda"]
    for fwd, aft in zip(chain, chain[1:]):
        a, b = iss.module(fwd), iss.module(aft)
        assert a.centre_m[0] - a.length_m / 2 == pytest.approx(b.centre_m[0] + b.length_m / 2, abs=1e-9)
    zvezda = iss.module("zvezda")
    assert zvezda.centre_m[0] - zvezda.length_m / 2 == pytest.approx(iss.port("zvezda-aft").position_m[0], abs=0.3)
    zarya = iss.module("zarya")
    zarya_fwd = zarya.centre_m[0] + zarya.length_m / 2
    assert 0.5 < zarya_fwd - iss.port("rassvet-nadir").position_m[0] < 2.5   # nadir port on the forward cone
    # Unity nadir is 6.2 m (not 10-13 m) forward of Rassvet nadir with these lengths
    assert iss.port("unity-nadir").position_m[0] - iss.port("rassvet-nadir").position_m[0] == pytest.approx(6.2, abs=1e-9)


def test_port_axes_point_out_of_their_module():
    iss = load_station()
    for p in iss.ports:
        m = iss.module(p.module)
        out = [pp - c for pp, c in zip(p.position_m, m.centre_m)]
        assert sum(o * a for o, a in zip(out, p.axis)) > 0.5 * min(m.length_m, m.diameter_m) / 2, p.id
        assert math.isclose(sum(a * a for a in p.axis), 1.0)


def test_every_figure_has_a_source_and_grade():
    iss = load_station()
    for p in iss.ports:
        assert p.position_source and GRADES.match(p.position_conf), p.id
        assert p.corridor.source and GRADES.match(p.corridor.conf), p.id
    for m in iss.modules:
        assert m.source and GRADES.match(m.conf), m.id
    for v in load_vehicle_types().values():
        assert v.dimensions_source and GRADES.match(v.dimensions_conf), v.id
        assert v.launch_source, v.id
        if v.stay_limit_days is not None:
            assert v.stay_limit_source and GRADES.match(v.stay_limit_conf), v.id
    assert GRADES.match(iss.clearance.conf) and iss.clearance.source


def test_keep_out_sphere_and_corridors():
    iss = load_station()
    assert iss.keep_out_radius_m == 200.0                       # SSP 50011 via NASA JSC (B)
    for p in iss.ports:
        assert p.corridor.keep_out_radius_m == 200.0
        if iss.mechanism(p.mechanism).kind == "docking":
            assert p.corridor.length_m == 200.0
            assert 0 < p.corridor.half_angle_rad < math.radians(30)


def test_vehicle_types_launch_pads_exist_in_the_site_catalogue():
    from gyrfalcon.launch.sites import load_sites

    sites = load_sites()
    types = load_vehicle_types()
    assert set(types) == {"soyuz-ms", "progress-ms", "crew-dragon", "cargo-dragon", "cygnus-xl", "htv-x", "starliner"}
    for v in types.values():
        assert v.launch_pads, v.id
        for pad in v.launch_pads:
            assert pad in sites.ids, (v.id, pad)
    assert types["soyuz-ms"].launch_pads == ("baikonur-31",)
    # the seed article's MS-28 launch site resolves to the same pad
    assert sites.resolve("31/6") == "baikonur-31"


def test_vehicle_types_crew_and_attachment():
    types = load_vehicle_types()
    assert types["soyuz-ms"].crew_seats == 3                     # seed 000: three crew on MS-28
    assert {v.id for v in types.values() if v.crewed} == {"soyuz-ms", "crew-dragon", "starliner"}
    assert {v.id for v in types.values() if v.is_berthed} == {"cygnus-xl", "htv-x"}
    assert types["cygnus-xl"].length_m == 7.89                   # domain.md 4.2 (NG/NASA, B)


def test_soyuz_stay_limit_covers_the_flown_and_planned_stays():
    soyuz = load_vehicle_types()["soyuz-ms"]
    ms27 = (dt.date(2025, 12, 9) - dt.date(2025, 4, 8)).days      # missions.csv launch -> domain.md 4.1 departure
    assert ms27 == 245
    assert soyuz.stay_limit_days >= ms27
    assert soyuz.stay_limit_days >= 240                           # seed 000: MS-28 planned 240 days
    assert soyuz.stay_limit_conf == "?"                            # the historical 200-day figure disagrees


def test_unknown_ids_list_the_valid_ones():
    iss = load_station()
    with pytest.raises(UnknownPortError, match="valid ports: rassvet-nadir, prichal-nadir") as exc:
        iss.port("rassvet-zenith")
    assert isinstance(exc.value, InputError) and isinstance(exc.value, GyrfalconError)
    with pytest.raises(UnknownVehicleTypeError, match="valid types: soyuz-ms, progress-ms, crew-dragon"):
        iss.vehicle_type("soyuz-tma")
    with pytest.raises(UnknownStationError, match="known: iss"):
        load_station("mir")
    with pytest.raises(UnknownOccupancyError, match="2025-12-01"):
        iss.occupancy("2026-01-01")
    assert iss.port(" Rassvet-Nadir ").id == "rassvet-nadir"


def test_incompatible_vehicle_names_the_ports_that_fit():
    iss = load_station()
    with pytest.raises(IncompatibleVehicleError, match="ports that take it: harmony-forward, harmony-zenith$"):
        iss.require_compatible("rassvet-nadir", "crew-dragon")
    with pytest.raises(IncompatibleVehicleError,
                       match="ports that take it: rassvet-nadir, prichal-nadir, poisk-zenith, zvezda-aft$"):
        iss.require_compatible("unity-nadir", "soyuz-ms")
    with pytest.raises(IncompatibleVehicleError, match="ports that take it: harmony-nadir, unity-nadir$"):
        iss.require_compatible("harmony-forward", "cygnus-xl")
    port, vehicle = iss.require_compatible("prichal-nadir", "progress-ms")
    assert port.mechanism == "ssvp-hybrid" and vehicle.mechanism == "ssvp"
    # the compatibility lists agree with the mechanisms (a port takes exactly the matching types)
    types = load_vehicle_types()
    for p in iss.ports:
        accepts = iss.mechanism(p.mechanism).accepts
        assert all(types[v].mechanism in accepts for v in p.compatible_vehicle_types), p.id


def test_load_station_is_cached():
    assert load_station("iss") is load_station("ISS")


def test_past_ports_are_dated_sourced_and_outside_the_current_eight():
    # Pirs nadir (Sep 2001 - 26 Jul 2021) and Nauka nadir (29 Jul - 25 Nov 2021): flown to by
    # Progress MS-15 (Pirs, 23 Jul 2020) and Progress MS-17 (Nauka, 22 Oct 2021)
    iss = load_station()
    assert [p.id for p in iss.past_ports] == ["pirs-nadir", "nauka-nadir"]
    assert not set(iss.port_ids) & {p.id for p in iss.past_ports}
    for p in iss.past_ports + tuple(iss.port(x) for x in ("rassvet-nadir", "prichal-nadir", "poisk-zenith",
                                                           "zvezda-aft")):
        assert p.available_from and p.dates_source and p.position_source and GRADES.match(p.position_conf), p.id
        m = iss.module(p.module)
        out = [pp - c for pp, c in zip(p.position_m, m.centre_m)]
        assert sum(o * a for o, a in zip(out, p.axis)) > 0, p.id
    # the handovers: Pirs gone before Nauka came, Nauka's port gone before Prichal took it
    pirs, nauka, prichal = iss.port("pirs-nadir"), iss.port("nauka-nadir"), iss.port("prichal-nadir")
    assert pirs.available_until < nauka.available_from and nauka.available_until < prichal.available_from
    assert prichal.blocked and prichal.blocked[0][1].startswith("2021-12-22")
    assert iss.port_on("pirs-nadir", dt.datetime(2020, 7, 23, 17, 45, tzinfo=dt.timezone.utc)).id == "pirs-nadir"



def test_port_for_launch_checks_the_fast_arrival_three_hours_after_liftoff():
    from gyrfalcon.errors import GyrfalconError
    from gyrfalcon.station.catalog import PortNotAvailableError

    iss = load_station()
    # Progress MS-15 lifted off 2020-07-23 14:26 for Pirs: a port then
    assert iss.port_for_launch("pirs-nadir", "2020-07-23T14:26:21Z", "progress-ms").id == "pirs-nadir"
    # Pirs left at 10:55 on 26 Jul 2021: a liftoff at 08:00 arrives after it (+3 h), one at 07:50 before
    assert iss.port_for_launch("pirs-nadir", "2021-07-26T07:50:00Z").id == "pirs-nadir"
    with pytest.raises(PortNotAvailableError, match="until 2021-07-26T10:55:00Z; ports on 2021-07-26T11:00:00Z"):
        iss.port_for_launch("pirs-nadir", "2021-07-26T08:00:00Z")
    # a launch time that cannot be read still checks the port id (the planner refuses the time)
    assert iss.port_for_launch("poisk-zenith", "not a time").id == "poisk-zenith"
    with pytest.raises(GyrfalconError, match="pirs-zenith"):
        iss.port_for_launch("pirs-zenith", "not a time")

def test_a_past_port_without_an_end_date_is_a_catalogue_error():
    from gyrfalcon.station.catalog import StationCatalogError, _data_text, load_vehicle_types, parse_station
    from gyrfalcon.station.mechanisms import load_mechanisms

    text = _data_text("iss.toml").replace('available_until = "2021-07-26T10:55:00Z"\n', "")
    with pytest.raises(StationCatalogError, match="past_port.*available_until|available_until"):
        parse_station(text, load_vehicle_types(), load_mechanisms())
