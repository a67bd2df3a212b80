"""The manifest on dates before the built-in record: past ports on their dates, and the station's
ports as they were then.

References (port dates, never computed): Pirs nadir a port until its undocking on 26 Jul 2021
10:55 UTC; Nauka nadir from Nauka's docking on 29 Jul 2021 to Prichal's arrival, with Progress
MS-17 docked there by Kurs on 22 Oct 2021 (Roscosmos, cited in ``station/data/iss.toml``);
Prichal nadir a port from 26 Nov 2021. Progress MS-15: launched 23 Jul 2020 14:26:21 UTC, docked
to Pirs 17:47:52 UTC (RussianSpaceWeb; tests/data/flights_2020_2022.csv).
"""
import pytest

from gyrfalcon.traffic.manifest import PortCompatibilityError
from gyrfalcon.traffic.store import ManifestStore
from gyrfalcon.traffic.station_link import station_model


@pytest.fixture()
def store(tmp_path):
    s = ManifestStore(tmp_path / "manifest.sqlite")
    yield s
    s.close()


def test_an_arrival_at_pirs_on_its_dates_is_recorded_and_shown(store):
    store.add_event("launch", "2020-07-23T14:26:21Z", "Progress MS-15", pad="baikonur-31", vehicle_type="progress-ms")
    store.add_event("arrival", "2020-07-23T17:47:52Z", "Progress MS-15", port="pirs-nadir")
    occ = store.manifest().occupancy_on("2020-07-24")
    assert occ.ports["pirs-nadir"] == "Progress MS-15" and occ.occupied_count == 1
    assert "prichal-nadir" not in occ.ports            # not yet part of the station in 2020
    assert "nauka-nadir" not in occ.ports
    # after it leaves and Pirs is gone, the station of 2025 has its eight current ports again
    store.add_event("departure", "2020-12-08T01:58:00Z", "Progress MS-15")
    late = store.manifest().occupancy_on("2025-12-01")
    assert sorted(late.ports) == sorted(station_model().port_ids) and "pirs-nadir" not in late.ports


def test_a_past_port_off_its_dates_is_refused_naming_the_ports_then(store):
    store.add_event("launch", "2021-10-28T00:00:32Z", "Progress MS-18", pad="baikonur-31", vehicle_type="progress-ms")
    before = store.events()
    with pytest.raises(PortCompatibilityError) as info:
        store.add_event("arrival", "2021-10-30T01:31:19Z", "Progress MS-18", port="pirs-nadir")
    msg = str(info.value)
    assert "pirs-nadir was a port only until 2021-07-26T10:55:00Z" in msg
    free = msg.split("free ports that take progress-ms then: ", 1)[1].split(", ")
    assert "nauka-nadir" in free and "prichal-nadir" not in free and "pirs-nadir" not in free
    assert store.events() == before


def test_nauka_nadir_takes_a_vehicle_only_between_nauka_and_prichal(store):
    store.add_event("launch", "2021-06-29T23:27:20Z", "Progress MS-17", pad="baikonur-31", vehicle_type="progress-ms")
    store.add_event("arrival", "2021-07-02T00:59:41Z", "Progress MS-17", port="poisk-zenith")
    store.add_event("relocation", "2021-10-22T06:21:00Z", "Progress MS-17", port="nauka-nadir")
    assert store.manifest().occupancy_on("2021-10-23").ports["nauka-nadir"] == "Progress MS-17"
    store.add_event("departure", "2021-11-25T10:22:00Z", "Progress MS-17")
    store.add_event("launch", "2021-12-01T00:00:00Z", "Progress MS-99", pad="baikonur-31", vehicle_type="progress-ms")
    with pytest.raises(PortCompatibilityError, match="nauka-nadir was a port only until 2021-11-25"):
        store.add_event("arrival", "2021-12-03T00:00:00Z", "Progress MS-99", port="nauka-nadir")


def test_an_occupancy_chart_gets_a_row_for_a_past_port_in_use():
    m = station_model()
    assert m.chart_ports() == m.port_ids
    assert m.chart_ports(["Pirs_Nadir", "poisk-zenith"]) == m.port_ids + ("pirs-nadir",)
