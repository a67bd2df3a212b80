"""Scenario texts shared by the tests (a flight without files or return, for quick end-to-end runs)."""

QUICK = """
name = "{name}"
seed = {seed}
[launch]
pad = "baikonur-31"
time = "2025-11-27T09:28:01Z"
[rendezvous]
scheme = "two-orbit"
[return]
enabled = false
[output]
czml = false
report = false
"""


def quick(seed: int = 0, name: str = "quick") -> str:
    """The quick scenario (MS-28's liftoff second, two-orbit, no return, no report or CZML)."""
    return QUICK.format(seed=seed, name=name)


def two_day_progress_to_poisk() -> str:
    """The shipped two-day what-if (``scenarios/soyuz-two-day-whatif.toml``: first two-day window
    after 24 Nov 2025 12:00 UTC) flown by a Progress MS to Poisk zenith, without return or crew."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "scenarios" / "soyuz-two-day-whatif.toml").read_text()
    text = (text.replace('spacecraft = "soyuz-ms"', 'spacecraft = "progress-ms"').replace("rassvet-nadir", "poisk-zenith")
            .replace("[return]\nenabled = true", "[return]\nenabled = false"))
    return "\n".join(line for line in text.splitlines() if not line.startswith("names = "))


def ms18_station_tle(folder):
    """The ISS element sets of the week before Soyuz MS-18's liftoff (9 Apr 2021 07:42:41 UTC),
    from tests/data/iss_tles.csv (31 Mar, 1 Apr and 7 Apr 2021), written as a TLE file in
    ``folder``; returns its path."""
    import csv
    from pathlib import Path

    data = Path(__file__).resolve().parent / "data"
    with open(data / "iss_tles.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["epoch_utc"].startswith(("2021-03-31", "2021-04-01", "2021-04-07"))]
    assert len(rows) == 3
    tle = Path(folder) / "ms18.tle"
    tle.write_text("".join(f"ISS (ZARYA)\n{r['tle_line1']}\n{r['tle_line2']}\n" for r in rows))
    return tle
