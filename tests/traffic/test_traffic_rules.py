"""Each manifest rule refuses a change, writes nothing and says what would work.

References: domain.md 4.1 (port occupants and port types: probe-drogue ports for Soyuz /
Progress, IDSS ports on Harmony for Dragon), seed 000 (Soyuz MS-28 carries three crew),
seat counts (Soyuz MS 3, Crew Dragon 4 on NASA rotation flights: 3 + 3 + 4 = 10 seats for the
10 people aboard from 27 Nov to 9 Dec 2025, so no spare seat), domain.md 7.1 / 7.2 (Site 31/6
damaged about 10 s after the MS-28 liftoff at 09:27:57.4 UTC, restored 3 Mar 2026, Progress
MS-33 launched from it on 22 Mar 2026).
"""
import pytest

from gyrfalcon.errors import GyrfalconError
from gyrfalcon.traffic.manifest import (
    CorridorBlockedError, LaunchOrderError, LaunchPadError, LifeboatError, ManifestInputError,
    ManifestRuleError, PortCompatibilityError, PortOccupiedError, VehicleStateError,
)
from gyrfalcon.traffic.store import ManifestStore

MS27_CREW = ["Sergey Ryzhikov", "Alexey Zubritsky", "Jonny Kim"]


@pytest.fixture()
def store(tmp_path):
    s = ManifestStore(tmp_path / "manifest.sqlite")
    s.load_builtin()
    yield s
    s.close()


def _unchanged(store, before):
    assert store.events() == before[0] and store.vehicles() == before[1]


def _snap(store):
    return store.events(), store.vehicles()


def test_rule_errors_are_gyrfalcon_errors():
    assert issubclass(ManifestRuleError, GyrfalconError)
    for cls, rule in ((PortOccupiedError, "one-vehicle-per-port"), (PortCompatibilityError, "port-compatibility"),
                      (CorridorBlockedError, "corridor-clearance"), (LifeboatError, "lifeboat"),
                      (LaunchOrderError, "arrival-after-launch"), (LaunchPadError, "pad-operational")):
        assert issubclass(cls, ManifestRuleError) and cls.rule == rule


def test_one_vehicle_per_port(store):
    before = _snap(store)
    with pytest.raises(PortOccupiedError) as info:
        store.add_event("arrival", "2025-11-26T10:00Z", "Progress MS-33", port="poisk-zenith",
                        vehicle_type="progress-ms")
    msg = str(info.value)
    # domain.md 4.1: Progress MS-31 on Poisk zenith since July; Rassvet nadir free on 26 Nov
    assert "occupied by Progress MS-31 from 2025-07-05T21:25" in msg
    # ...and taken 26 h later by Soyuz MS-28: the suggestion says so (found by an audit)
    assert msg.endswith("free ports that take progress-ms then: rassvet-nadir (until Soyuz MS-28 arrives "
                        "2025-11-27T12:34:35Z)")
    _unchanged(store, before)


def test_port_compatibility(store):
    before = _snap(store)
    with pytest.raises(PortCompatibilityError) as info:
        store.add_event("arrival", "2025-11-26T10:00Z", "Crew-12 Dragon", port="rassvet-nadir",
                        vehicle_type="crew-dragon", crew=["A", "B", "C", "D"])
    msg = str(info.value)
    assert "ports that take crew-dragon: harmony-forward, harmony-zenith" in msg  # the IDSS ports
    assert "free then: none" in msg  # both held by CRS-33 and Crew-11 (domain.md 4.1)
    _unchanged(store, before)  # not even the vehicle registration is written


def test_lifeboat_no_spare_seat_late_2025(store):
    before = _snap(store)
    m = store.manifest()
    occ = m.occupancy_on("2025-12-01")
    assert len(occ.crew_aboard) == 3 + 3 + 4  # every seat taken
    # MS-27 leaving without Jonny Kim strands him: no crew vehicle has a free seat
    with pytest.raises(LifeboatError) as info:
        store.add_event("departure", "2025-12-08T12:00Z", "Soyuz MS-27", crew=MS27_CREW[:2])
    assert "Jonny Kim (seat on Soyuz MS-27" in str(info.value)
    assert "free seats then: none" in str(info.value)
    # moving his seat to Crew-11 first overfills it (4 seats)
    with pytest.raises(LifeboatError) as info:
        store.add_event("crew_change", "2025-12-08T11:00Z", "Crew-11 Dragon Endeavour", crew=["Jonny Kim"])
    assert "Crew-11 Dragon Endeavour would carry 5 crew" in str(info.value)
    # an arrival with more crew than seats (Soyuz MS: 3)
    with pytest.raises(LifeboatError):
        store.add_event("arrival", "2026-01-10T00:00Z", "Soyuz MS-29", port="prichal-nadir",
                        vehicle_type="soyuz-ms", crew=["P", "Q", "R", "S"])
    _unchanged(store, before)


def test_lifeboat_crew_change_and_relocation_accepted(store):
    # after MS-27 left (9 Dec), 7 aboard for 3 + 4 seats; relocating MS-28 keeps its crew seated on it
    store.add_event("relocation", "2025-12-20T08:00Z", "Soyuz MS-28", port="prichal-nadir")
    m = store.manifest()
    occ = m.occupancy_on("2025-12-20")
    assert occ.ports["prichal-nadir"] == "Soyuz MS-28" and occ.ports["rassvet-nadir"] is None
    assert sorted(c for c, v in occ.seats.items() if v == "Soyuz MS-28") == [
        "Christopher Williams", "Sergey Kud-Sverchkov", "Sergey Mikayev"]
    # relocating into an occupied port is refused
    with pytest.raises(PortOccupiedError):
        store.add_event("relocation", "2025-12-21T08:00Z", "Soyuz MS-28", port="poisk-zenith")


def test_pad_must_be_operational(store):
    before = _snap(store)
    # Progress MS-33 as planned (19/21 Dec 2025): Site 31/6 damaged since the MS-28 launch
    with pytest.raises(LaunchPadError) as info:
        store.add_event("launch", "2025-12-21T09:00Z", "Progress MS-33", pad="baikonur-31",
                        vehicle_type="progress-ms")
    assert "damaged" in str(info.value) and "next available on 2026-03-03" in str(info.value)
    # a second Soyuz 33 s after the MS-28 liftoff: the cabin had already fallen (about 10 s)
    with pytest.raises(LaunchPadError):
        store.add_event("launch", "2025-11-27T09:28:30Z", "Soyuz MS-99", vehicle_type="soyuz-ms")
    _unchanged(store, before)
    # as flown: launched 22 Mar 2026 (07:59 EDT = 11:59 UTC), docked 24 Mar
    store.add_event("launch", "2026-03-22T11:59Z", "Progress MS-33", pad="baikonur-31", vehicle_type="progress-ms")
    store.add_event("arrival", "2026-03-24T13:40Z", "Progress MS-33", port="prichal-nadir")
    assert store.occupancy_on("2026-03-24").ports["prichal-nadir"] == "Progress MS-33"


def test_arrival_after_launch(store):
    store.add_event("launch", "2026-03-22T11:59Z", "Progress MS-33", vehicle_type="progress-ms")
    before = _snap(store)
    with pytest.raises(LaunchOrderError) as info:
        store.add_event("arrival", "2026-03-21T00:00Z", "Progress MS-33", port="prichal-nadir")
    assert "launches on 2026-03-22T11:59:00Z" in str(info.value)
    with pytest.raises(LaunchOrderError):  # a vehicle launches once
        store.add_event("launch", "2026-03-23T11:59Z", "Progress MS-33")
    # a launch recorded after an existing arrival breaks the rule at that arrival
    store.add_event("arrival", "2026-01-10T00:00Z", "Soyuz MS-29", port="prichal-nadir", vehicle_type="soyuz-ms")
    before = _snap(store)
    with pytest.raises(LaunchOrderError) as info:
        store.add_event("launch", "2026-01-11T00:00Z", "Soyuz MS-29")
    assert info.value.event.kind == "arrival" and info.value.event.vehicle == "Soyuz MS-29"
    _unchanged(store, before)


def test_arm_and_sequence(store):
    before = _snap(store)
    with pytest.raises(VehicleStateError) as info:  # NG-23 on the arm 24 Nov -> 1 Dec
        store.add_event("capture", "2025-11-25T10:00Z", "Cygnus NG-24", vehicle_type="cygnus-xl")
    assert "Canadarm2 already holds Cygnus NG-23" in str(info.value)
    with pytest.raises(VehicleStateError):  # berth needs the vehicle on the arm
        store.add_event("berth", "2025-11-25T10:00Z", "HTV-X1", port="unity-nadir")
    with pytest.raises(VehicleStateError):  # it left on 9 Dec: a vehicle flies once
        store.add_event("arrival", "2025-12-20T10:00Z", "Soyuz MS-27", port="prichal-nadir")
    with pytest.raises(ManifestInputError) as info:
        store.add_event("arrival", "2025-12-20T10:00Z", "Soyuz MS-29", port="node-9", vehicle_type="soyuz-ms")
    assert "rassvet-nadir" in str(info.value)  # lists the ports
    with pytest.raises(VehicleStateError, match="docked at prichal-nadir then, not at rassvet-nadir"):
        store.add_event("departure", "2025-12-05T00:00Z", "Soyuz MS-27", port="rassvet-nadir")
    with pytest.raises(ManifestInputError):
        store.add_event("teleport", "2025-12-20", "Soyuz MS-28")
    # a launch given a port (the port was silently dropped: audit), an arrival given a pad
    with pytest.raises(ManifestInputError, match="a launch has a pad, not a port"):
        store.add_event("launch", "2026-02-01", "Progress MS-40", port="poisk-zenith", vehicle_type="progress-ms")
    with pytest.raises(ManifestInputError, match="only a launch has a pad"):
        store.add_event("arrival", "2026-02-01", "Progress MS-40", port="poisk-zenith", pad="baikonur-31",
                        vehicle_type="progress-ms")
    with pytest.raises(ManifestInputError):  # unknown vehicle without a type
        store.add_event("arrival", "2025-12-20", "Mystery", port="prichal-nadir")
    _unchanged(store, before)


def test_remove_event_is_checked_too(store):
    before = _snap(store)
    hold = next(e for e in store.events() if e.kind == "hold")
    with pytest.raises(CorridorBlockedError):  # without the hold, MS-28 could not arrive
        store.remove_event(hold.id)
    _unchanged(store, before)
    # a launch whose arrival stays (found by an audit: the arrival then read as a vehicle already there)
    launch = next(e for e in store.events() if e.kind == "launch" and e.vehicle == "Soyuz MS-28")
    with pytest.raises(LaunchOrderError, match="arrival-after-launch.*remove those first"):
        store.remove_event(launch.id)
    _unchanged(store, before)
    dep = next(e for e in store.events() if e.kind == "departure")
    assert store.remove_event(dep.id) == dep
    assert store.occupancy_on("2025-12-10").ports["prichal-nadir"] == "Soyuz MS-27"


def test_pad_board_is_injected_for_what_ifs(tmp_path):
    """As known before the MS-28 launch, Site 31/6 was fine for the planned Progress MS-33 date."""
    from gyrfalcon.launch.sites import PadStatusBoard

    board = PadStatusBoard.from_catalog(known_before="2025-11-27T09:00Z")
    with ManifestStore(tmp_path / "whatif.sqlite", pads=board) as s:
        s.load_builtin()
        s.add_event("launch", "2025-12-21T09:00Z", "Progress MS-33", vehicle_type="progress-ms")
        # its arrival defaults to the launch's crew list (none) and needs a free port: Prichal after 9 Dec
        s.add_event("arrival", "2025-12-23T10:00Z", "Progress MS-33", port="prichal-nadir")
        assert s.occupancy_on("2025-12-23").ports["prichal-nadir"] == "Progress MS-33"


def test_arrival_crew_defaults_to_launch_crew(tmp_path):
    crew = ["Sergey Kud-Sverchkov", "Sergey Mikayev", "Christopher Williams"]  # seed 000
    with ManifestStore(tmp_path / "m.sqlite") as s:
        s.add_event("launch", "2025-11-27T09:27:57.4Z", "Soyuz MS-28", pad="baikonur-31", crew=crew,
                    vehicle_type="soyuz-ms")
        s.add_event("arrival", "2025-11-27T12:34:35Z", "Soyuz MS-28", port="rassvet-nadir")
        assert set(s.occupancy_on("2025-11-27").crew_aboard) == set(crew)


def test_a_change_that_breaks_a_later_event_is_named(store):
    before = _snap(store)
    # moving MS-27 to Rassvet nadir on 25 Nov is fine then, but MS-28 docks there on 27 Nov
    with pytest.raises(PortOccupiedError) as info:
        store.add_event("relocation", "2025-11-25T00:00Z", "Soyuz MS-27", port="rassvet-nadir")
    assert str(info.value).startswith("recording relocation of Soyuz MS-27 at rassvet-nadir")
    assert info.value.event.vehicle == "Soyuz MS-28" and info.value.event.kind == "arrival"
    _unchanged(store, before)


def test_a_refused_new_event_names_no_id_it_never_got(store):
    """Found by an audit: a refused add said '(event #20)', an id rolled back with it."""
    with pytest.raises(ManifestRuleError) as exc:   # Site 31/6 damaged until 2026-03-03 (domain.md 7.2)
        store.add_event("launch", "2025-12-21T09:00Z", "Progress MS-40", pad="baikonur-31", vehicle_type="progress-ms")
    assert "event #" not in str(exc.value) and "pad-operational" in str(exc.value)
    # an unknown pad is refused before anything is inserted
    with pytest.raises(ManifestInputError, match="unknown launch site or pad 'baikonur31'"):
        store.add_event("launch", "2026-05-01", "Progress MS-40", pad="baikonur31", vehicle_type="progress-ms")
