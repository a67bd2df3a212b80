"""The traffic adapter onto gyrfalcon.station carries the station's facts through unchanged.

References: domain.md 4.1 (the eight visiting-vehicle ports; Soyuz/Progress on the Russian
probe-drogue ports, Dragon on the two IDSS ports) and 4.2 (Cygnus XL at Unity nadir blocks the
Rassvet nadir approach; with Unity nadir empty the 1 Dec 2025 neighbours leave it clear).
"""
from gyrfalcon.station.catalog import load_station
from gyrfalcon.traffic.station_link import station_model

DOMAIN_41_PORTS = {"rassvet-nadir", "prichal-nadir", "poisk-zenith", "zvezda-aft", "harmony-forward",
                   "harmony-zenith", "harmony-nadir", "unity-nadir"}


def test_ports_and_types_come_from_the_station_catalogue():
    m, st = station_model("iss"), load_station("iss")
    assert set(m.port_ids) == DOMAIN_41_PORTS
    for vt in ("soyuz-ms", "progress-ms", "crew-dragon", "cargo-dragon", "cygnus-xl", "htv-x"):
        assert m.ports_for(vt) == st.ports_for(vt)
        assert m.vehicle_type(vt).crew_seats == st.vehicle_type(vt).crew_seats
    assert set(m.ports_for("crew-dragon")) == {"harmony-forward", "harmony-zenith"}
    assert m.port("unity-nadir").kind == "berthing" and m.port("rassvet-nadir").kind == "docking"


def test_corridor_verdict_is_the_station_check():
    m = station_model("iss")
    occ = dict(load_station("iss").occupancy("2025-12-01").vehicle_types())
    del occ["rassvet-nadir"]
    blocked = m.clearance("rassvet-nadir", occ, "soyuz-ms")
    assert not blocked.clear and blocked.blocking == ("unity-nadir",) and "Cygnus" in blocked.reasons[0]
    del occ["unity-nadir"]
    assert m.clearance("rassvet-nadir", occ, "soyuz-ms").clear
