"""A past flight through the web API: ``POST /api/runs`` with a scenario of Soyuz MS-22 (2022) and
the ISS element sets as ``station_tle`` text. Before, the upload was validated against the
embedded 2025 ephemeris first and refused (422 "outside the embedded ISS ephemeris") although
the uploaded station covers the flight.

Reference (never an input): Soyuz MS-22 docked to Rassvet nadir 2022-09-21 17:06:33 UTC (actual;
russianspaceweb.com/soyuz-ms-22.html, ``tests/data/flights_2020_2022.csv``); 15 min is the issue's
validation tolerance for two-day flights, a loose bound here for a station fitted to a TLE 3.5 days
before launch (about 18 km of along-track error).
"""
from __future__ import annotations


from gyrfalcon.time import parse_utc, seconds_between

from ..cli.test_past_flights import MS22_DOCKED, MS22_SCENARIO, TOLERANCE_S, tle_file
from .conftest import TOKEN, make_config, run_contact_utc

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_a_past_flight_runs_through_the_api_with_its_station(tmp_path):
    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    tles = tle_file(tmp_path / "ms22.tle", ["2022-09"]).read_text()     # one set before launch, two after
    text = MS22_SCENARIO.replace('name = "soyuz-ms-22"', 'name = "api-ms-22"') + "[output]\nczml = false\nreport = false\n"
    with TestClient(create_app(make_config(tmp_path / "out", tmp_path)), base_url="http://127.0.0.1") as c:
        # a port that was gone by then: 422 naming the ports of that date, nothing saved
        bad = c.post("/api/runs", json={"scenario_toml": text.replace("rassvet-nadir", "pirs-nadir"),
                                        "station_tle": tles}, headers=AUTH)
        assert bad.status_code == 422
        assert "pirs-nadir was a port only until 2021-07-26" in bad.json()["detail"], bad.json()
        assert "prichal-nadir" in bad.json()["detail"]
        saved = tmp_path / "out" / ".station-uploads"
        assert not saved.exists() or list(saved.iterdir()) == []
        # the upload replaces a file the scenario names (as --station-tle does): refused for the port
        # only, not for naming a file
        named = text.replace("[rendezvous]", '[target]\nephemeris = "../iss-2022.tle"\n[rendezvous]')
        bad2 = c.post("/api/runs", json={"scenario_toml": named.replace("rassvet-nadir", "pirs-nadir"),
                                         "station_tle": tles}, headers=AUTH)
        assert bad2.status_code == 422 and "pirs-nadir was a port only" in bad2.json()["detail"], bad2.json()
        # without the station the embedded ephemeris is the target: refused, saying what to give here
        alone = c.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
        assert alone.status_code == 422 and "outside the embedded ISS ephemeris" in alone.json()["detail"]
        assert "upload it as station_oem or station_tle" in alone.json()["detail"]
        # and a file named without an upload: refused, naming the upload fields
        r = c.post("/api/runs", json={"scenario_toml": named}, headers=AUTH)
        assert r.status_code == 422 and "cannot name a file" in r.json()["detail"]
        assert "station_tle" in r.json()["detail"]
        contact = run_contact_utc(c, {"scenario_toml": text, "station_tle": tles}, "api-ms-22", AUTH)
        err = abs(float(seconds_between(parse_utc(contact), parse_utc(MS22_DOCKED))))
        assert err < TOLERANCE_S, contact
        # the station upload was for that run only: gone once it ended
        assert list(saved.iterdir()) == [], list(saved.iterdir())
        # and one refused by the job queue (the name exists now) is not kept either
        again = c.post("/api/runs", json={"scenario_toml": text, "station_tle": tles}, headers=AUTH)
        assert again.status_code == 409 and list(saved.iterdir()) == []
        tl = c.get("/api/runs/api-ms-22/timeline").json()
        assert not any("does not fit" in n for n in tl["notes"]), tl["notes"]


def test_occupancy_on_a_date_before_the_record_says_so(client):
    d = client.get("/api/manifest/occupancy", params={"date": "2021-04-09"}).json()
    assert "complete only from 2025-10-29" in d["note"] and "pirs-nadir" in d["note"], d
    d = client.get("/api/manifest/occupancy", params={"date": "2025-12-01"}).json()
    assert d["note"] is None and d["occupied_count"] == 8
