"""The built-in late-2025 manifest against the seed articles and domain.md section 4.

References (independent of our code): seed 000 / 002 (Soyuz MS-28 docked to Rassvet on
27 Nov 2025 at 12:34 UTC; Cygnus NG-23 held on Canadarm2 from 24 Nov and reinstalled at Unity
on 1 Dec 2025, when all eight ports were occupied for the first time; the eight occupants);
domain.md 4.1 (occupant of each port on 1 Dec 2025) and 5.2 (MS-27 left Prichal 9 Dec 2025
01:41 UTC).
"""
import pytest

from gyrfalcon.traffic.builtin import late2025, late2025_manifest
from gyrfalcon.traffic.manifest import CorridorBlockedError, Event
from gyrfalcon.traffic.store import ManifestStore

# domain.md 4.1, "Occupant, 1 Dec 2025" column (our vehicle names for those flights)
DOMAIN_41_OCCUPANTS_2025_12_01 = {
    "rassvet-nadir": "Soyuz MS-28",
    "prichal-nadir": "Soyuz MS-27",
    "poisk-zenith": "Progress MS-31",
    "zvezda-aft": "Progress MS-32",
    "harmony-forward": "CRS-33 Dragon",
    "harmony-zenith": "Crew-11 Dragon Endeavour",
    "harmony-nadir": "HTV-X1",
    "unity-nadir": "Cygnus NG-23",
}
MS28_CREW = {"Sergey Kud-Sverchkov", "Sergey Mikayev", "Christopher Williams"}  # seed 000


@pytest.fixture()
def store(tmp_path):
    s = ManifestStore(tmp_path / "manifest.sqlite")
    s.load_builtin()
    yield s
    s.close()


def test_eight_of_eight_on_2025_12_01(store):
    occ = store.occupancy_on("2025-12-01")
    assert occ.occupied_count == 8 and len(occ.ports) == 8  # seed 000 / 002: all eight ports
    assert dict(occ.ports) == DOMAIN_41_OCCUPANTS_2025_12_01
    assert occ.arm is None
    # reported as a milestone on that day, and on no other day
    assert [m.kind for m in occ.milestones] == ["all-ports-occupied"]
    assert "all 8 ports" in occ.milestones[0].text
    assert [m.t_utc[:10] for m in store.manifest().milestones] == ["2025-12-01"]
    # the day before, one port short: NG-23 still on the arm
    before = store.occupancy_on("2025-11-30")
    assert before.occupied_count == 7 and before.free_ports == ("unity-nadir",)
    assert before.milestones == ()


def test_ng23_off_its_port_on_2025_11_27(store):
    m = store.manifest()
    for t in ("2025-11-27T00:00:00Z", "2025-11-27T12:34:35Z", "2025-11-27T23:59:59Z"):
        assert m.where("Cygnus NG-23", t) == "arm"  # seed 000: held on Canadarm2 24 Nov -> 1 Dec
    occ = store.occupancy_on("2025-11-27")
    assert occ.ports["unity-nadir"] is None and occ.arm == "Cygnus NG-23"
    assert m.where("Cygnus NG-23", "2025-11-23T23:59:59Z") == "unity-nadir"
    assert m.where("Cygnus NG-23", "2025-12-01T23:59:59Z") == "unity-nadir"


def test_state_on_26_nov_and_ms28_arrival(store):
    m = store.manifest()
    occ26 = m.occupancy_on("2025-11-26")
    expected = {**DOMAIN_41_OCCUPANTS_2025_12_01, "rassvet-nadir": None, "unity-nadir": None}
    assert dict(occ26.ports) == expected
    assert not MS28_CREW & set(occ26.crew_aboard)
    # docked 12:34:35 UTC at Rassvet nadir (domain.md 1.1): free one second before, taken at contact
    assert m.occupancy_at("2025-11-27T12:34:34Z").ports["rassvet-nadir"] is None
    at = m.occupancy_at("2025-11-27T12:34:35Z")
    assert at.ports["rassvet-nadir"] == "Soyuz MS-28"
    assert MS28_CREW <= set(at.crew_aboard)
    assert {at.seats[c] for c in MS28_CREW} == {"Soyuz MS-28"}


def test_ms27_departure_on_2025_12_09(store):
    m = store.manifest()
    assert m.occupancy_at("2025-12-09T01:40:59Z").ports["prichal-nadir"] == "Soyuz MS-27"
    after = m.occupancy_at("2025-12-09T01:41:00Z")
    assert after.ports["prichal-nadir"] is None and after.occupied_count == 7
    assert m.where("Soyuz MS-27", "2025-12-09T02:00Z") == "gone"
    assert not {"Sergey Ryzhikov", "Alexey Zubritsky", "Jonny Kim"} & set(after.crew_aboard)
    assert MS28_CREW <= set(after.crew_aboard)


def test_rassvet_arrival_refused_if_ng23_still_at_unity_nadir(tmp_path):
    """Without the 24 Nov arm hold (and so without the 1 Dec re-berth), MS-28 cannot arrive."""
    b = late2025()
    events = [e for e in b.events if e.vehicle != "Cygnus NG-23" or e.kind not in ("hold", "berth")]
    assert len(events) == len(b.events) - 2
    with ManifestStore(tmp_path / "m.sqlite") as s:
        with pytest.raises(CorridorBlockedError) as info:
            s.add_events(events, b.vehicles)
        msg = str(info.value)
        assert info.value.rule == "corridor-clearance"
        assert info.value.event.vehicle == "Soyuz MS-28" and info.value.event.kind == "arrival"
        assert info.value.event.t_utc.startswith("2025-11-27")
        assert "Cygnus NG-23" in msg and "unity-nadir" in msg and "hold" in msg
        assert s.count() == 0  # nothing written, not even the events before the arrival
        # the same timeline up to 26 Nov is accepted; then the arrival alone is refused
        s.add_events([e for e in events if e.t_utc < "2025-11-27"], b.vehicles)
        n = s.count()
        with pytest.raises(CorridorBlockedError):
            s.add_event("arrival", "2025-11-27T12:34:35Z", "Soyuz MS-28", port="rassvet-nadir",
                        vehicle_type="soyuz-ms")
        assert s.count() == n
        # moving NG-23 onto the arm first makes it work (what the ISS team did on 24 Nov)
        s.add_event("hold", "2025-11-24", "Cygnus NG-23")
        s.add_event("arrival", "2025-11-27T12:34:35Z", "Soyuz MS-28", port="rassvet-nadir",
                    vehicle_type="soyuz-ms")
        assert s.occupancy_on("2025-11-27").ports["rassvet-nadir"] == "Soyuz MS-28"


def test_in_memory_manifest_equals_stored(store):
    mem = late2025_manifest()
    for day in ("2025-11-24", "2025-11-26", "2025-11-27", "2025-12-01", "2025-12-09"):
        assert mem.occupancy_on(day) == store.occupancy_on(day)
    assert all(isinstance(e, Event) and e.id is not None for e in store.events())
    assert len(store.events()) == len(late2025().events)


def test_a_database_path_in_a_missing_folder_is_refused_not_created(tmp_path):
    """Before: ManifestStore('/nonexistent/dir/x.sqlite') made the folders and answered with an
    empty manifest, as if the mistyped path were a real one."""
    from gyrfalcon.traffic.store import ManifestStoreError

    with pytest.raises(ManifestStoreError, match="no folder .*create the folder"):
        ManifestStore(tmp_path / "typo" / "deeper" / "m.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_someone_elses_database_is_not_turned_into_a_manifest(tmp_path):
    """Found by an audit: `traffic init --db other.sqlite` added its tables and 19 events to a
    database holding someone's table."""
    import sqlite3

    from gyrfalcon.traffic.store import ManifestStoreError

    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE notes (t TEXT)")
        c.execute("INSERT INTO notes VALUES ('mine')")
    with pytest.raises(ManifestStoreError, match=r"holds tables gyrfalcon did not create \(notes\)"):
        ManifestStore(db)
    with sqlite3.connect(db) as c:
        assert [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["notes"]


def test_the_manifest_reads_a_real_leap_second():
    """Found by an audit: the web's occupancy at 2016-12-31T23:59:60Z (a real leap second) was 422
    while the intervals endpoint took it (a datetime cannot hold second 60)."""
    m = late2025_manifest()
    assert m.occupancy_at("2016-12-31T23:59:60Z").t_utc == "2016-12-31T23:59:60.000Z"
