"""Validation of the predicted return on real Soyuz MS landings (regenerates the docs/validation.md table).

    python bench/validate_landings.py --oem-dir DIR [--omm FILE] [--markdown]

Each return is flown as ``gyrfalcon landing --undock T --port P`` flies it: the REAL undocking time
and port, the station from the data made most recently BEFORE the undocking (a NASA ISS OEM of
``DIR`` by its creation date, extended by propagation when it ends earlier, against the last of the
ISS element sets of
``tests/data/iss_tles.csv``, ``iss_tles_public.csv``, ``iss_tle_2023-03_before_ms22_return.txt`` and
``--omm FILE``, of which only those dated before the undocking serve), then
``gyrfalcon.landing.plan_landing``: separation, the first reachable landing pass at least 1.5 h
after undocking, the deorbit burn time solved on the landing miss, the guided descent.

Predicted: the deorbit burn's ignition, the landing time and place. Compared with the published
figures of ``tests/data/landings_2018_2025.csv`` (sources in its columns; never read by the model).
The landing zone's centre is 146 km from Zhezkazgan (the operators' figure) at 106.3 deg, the mean
bearing of the published coordinates of the 2018-2020 landings (``landing/data/zones.toml``): the
place of those landings (MS-09 and MS-15 are flown) is in-sample, that of the 2021-2025 ones is
held out. The times are predictions: nothing of any flight's return timeline is read.
"""
from __future__ import annotations

import argparse
import csv
import functools
import glob
import math
import os
import pathlib
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
LANDINGS = DATA / "landings_2018_2025.csv"
STALE_DAYS_FRESH = 7.0
"""Station data at most this old at the undocking count as fresh in the statistics [days]: element
sets a week old are a median 72 km off along-track (docs/validation.md, OMM series), ~10 s of the
station's travel, small beside the landing-time errors; older data may miss a reboost."""
ELEMENT_FILES = (DATA / "iss_tles.csv", DATA / "iss_tles_public.csv", DATA / "iss_tle_2023-03_before_ms22_return.txt")


@functools.lru_cache(maxsize=None)
def _sets(omm_file):
    from gyrfalcon.orbits.tle import load_omm, load_tles

    sets = [s for f in ELEMENT_FILES for s in load_tles(f)]
    if omm_file:
        sets += load_omm(omm_file)
    return tuple(sets)


@functools.lru_cache(maxsize=None)
def _oem_made(path):
    """(when the NASA file was made: its CREATION_DATE, else its first sample; its first sample)."""
    from gyrfalcon.io.oem import load_oem

    oem = load_oem(path)
    start = oem.ephemeris("GCRF").start
    return (oem.creation_date if oem.creation_date is not None else start), start


def _oem_candidates(oem_dir, undock):
    """(when made, path) of the NASA files made, and starting, before the undocking."""
    from gyrfalcon.time import seconds_between

    out = []
    for f in sorted(glob.glob(os.path.join(oem_dir or "", "*.txt*"))):
        made, start = _oem_made(f)
        if float(seconds_between(made, undock)) > 0 and float(seconds_between(start, undock)) > 0:
            out.append((made, f))
    return out


def station_for(undock, oem_dir, sets):
    """The data made most recently before ``undock`` (a NASA file's creation date against the last
    element set's epoch): (Station, description)."""
    from gyrfalcon.orbits.station_source import load_station
    from gyrfalcon.time import add_seconds, seconds_between

    until = add_seconds(undock, 86400.0)
    before = [s for s in sets if float(seconds_between(s.epoch, undock)) > 0]
    best = None
    if before:
        last = max(before, key=lambda s: s.epoch.tt)
        best = (last.epoch, "elements", before)
    for made, path in _oem_candidates(oem_dir, undock):
        if best is None or made.tt > best[0].tt:
            best = (made, "oem", path)
    if best is None:
        return None, "no station data before the undocking"
    if best[1] == "oem":
        st = load_station(best[2], at_utc=undock, until_utc=until)
        return st, f"NASA OEM {os.path.basename(best[2])[24:34]}"
    st = load_station(best[2], at_utc=undock, until_utc=until, label="ISS element sets")
    return st, "element sets"


def fly(row, oem_dir, omm_file):
    from gyrfalcon.landing.plan import plan_landing
    from gyrfalcon.landing.zones import bearing_deg, distance_m, load_zone
    from gyrfalcon.time import parse_utc, seconds_between

    t0 = time.perf_counter()
    undock = parse_utc(row["undock_utc"])
    out = {"mission": row["mission"], "undock_utc": row["undock_utc"], "port": row["undock_port"]}
    from gyrfalcon.errors import GyrfalconError

    try:
        st, how = station_for(undock, oem_dir, _sets(omm_file))
    except GyrfalconError as exc:   # no data within the loader's 30 days: said in the table
        st, how = None, "no ISS data in the 30 days before: " + str(exc).split(";")[0].split(" is from ")[-1]
    out["station"] = how
    if st is None:
        out["error"] = how
        return out
    age_d = float(seconds_between(parse_utc(st.data_end_utc), undock)) / 86400.0 if st.data_end_utc else 0.0
    out["data_age_d"] = max(age_d, 0.0)
    vehicle = row.get("vehicle") or "soyuz-ms"   # soyuz-ms-uncrewed: the fast profile of a return without crew
    try:
        d = plan_landing(st.ephemeris("GCRF"), undock, vehicle=vehicle, port=row["undock_port"]).to_dict()
    except Exception as exc:  # reported in the table, the run goes on
        out["error"] = f"{type(exc).__name__}: {exc}"
        return out
    out.update(vehicle=vehicle, burn_utc=d["deorbit_burn"]["utc"], landing_utc=d["landing_utc"],
               lat=d["landing_lat_deg"], lon=d["landing_lon_deg"])
    if row["deorbit_burn_utc"]:
        out["burn_err_s"] = float(seconds_between(parse_utc(row["deorbit_burn_utc"]), parse_utc(d["deorbit_burn"]["utc"])))
    out["landing_err_s"] = float(seconds_between(parse_utc(row["landing_utc"]), parse_utc(d["landing_utc"])))
    z = load_zone("soyuz")
    zlat, zlon = z.reference_lat_deg, z.reference_lon_deg          # Zhezkazgan
    out["pred_from_zhez_km"] = distance_m(zlat, zlon, d["landing_lat_deg"], d["landing_lon_deg"]) / 1e3
    out["pred_bearing_deg"] = bearing_deg(zlat, zlon, d["landing_lat_deg"], d["landing_lon_deg"])
    if row["landing_lat_deg"]:
        lat, lon = float(row["landing_lat_deg"]), float(row["landing_lon_deg"])
        out["miss_km"] = distance_m(lat, lon, d["landing_lat_deg"], d["landing_lon_deg"]) / 1e3
    out["seconds"] = time.perf_counter() - t0
    return out


def _f(x, fmt):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def table_markdown(res, rows):
    real = {r["mission"]: r for r in rows}
    lines = ["| return | port | station data (days before the undocking) | predicted burn (UTC) | real burn | "
             "burn error [s] | predicted landing (UTC) | real landing | landing error [s] | predicted place "
             "(from Zhezkazgan) | real place | miss [km] |", "|" + "---|" * 12]
    for r in res:
        w = real[r["mission"]]
        if "error" in r:
            lines.append(f"| {r['mission']} | {r['port']} | {r['error']} |" + " - |" * 9)
            continue
        lines.append(
            f"| {r['mission']}{' (uncrewed)' if r['vehicle'].endswith('uncrewed') else ''} | {r['port']} | "
            f"{r['station']} ({r['data_age_d']:.1f}) | {r['burn_utc'][11:19]} | {w['deorbit_burn_utc'][11:19] or '-'} | "
            f"{_f(r.get('burn_err_s'), '+.0f')} | {r['landing_utc'][11:19]} | {w['landing_utc'][11:21].rstrip('Z')} | "
            f"{r['landing_err_s']:+.0f} | {r['pred_from_zhez_km']:.0f} km at {r['pred_bearing_deg']:.0f} deg | "
            f"{_first_place(w['landing_place'])} | {_f(r.get('miss_km'), '.0f')} |")
    return "\n".join(lines)


def _time_stats(rows, label):
    le = [r["landing_err_s"] for r in rows]
    if not le:
        return f"{label}: none"
    return (f"{label}: landing error median {statistics.median(le):+.0f} s, mean |error| "
            f"{statistics.mean(abs(x) for x in le):.0f} s, max |error| {max(abs(x) for x in le):.0f} s "
            f"({sum(abs(x) <= 120 for x in le)} of {len(le)} within 2 min)")


def _first_place(text: str) -> str:
    """The first of the sources' places (up to a ';' outside parentheses)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            return text[:i]
    return text


def statistics_text(res, fresh_days=STALE_DAYS_FRESH):
    ok = [r for r in res if "error" not in r]
    out = [f"{len(ok)} of {len(res)} returns flown (the others: no ISS data in the 30 days before the undocking)",
           _time_stats(ok, "all"),
           _time_stats([r for r in ok if r["data_age_d"] <= fresh_days],
                       f"station data at most {fresh_days:g} days old")]
    be = [r["burn_err_s"] for r in ok if "burn_err_s" in r]
    if be:
        out.append(f"deorbit burn error: median {statistics.median(be):+.0f} s, max |error| "
                   f"{max(abs(x) for x in be):.0f} s over {len(be)} published burn times (most to the minute)")
    for years, label in ((("2018", "2019", "2020"), "2018-2020 (the bearing's calibration subset)"),
                         (("2021", "2022", "2023", "2024", "2025"), "2021-2025 (held out)")):
        mk = [r["miss_km"] for r in ok if "miss_km" in r and r["undock_utc"][:4] in years]
        if mk:
            out.append(f"landing place, {label}: {', '.join(f'{x:.0f}' for x in mk)} km from the published "
                       f"coordinates")
    return "\n".join("- " + x for x in out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oem-dir", default=None, help="directory with NASA ISS OEM files")
    ap.add_argument("--omm", default=None, help="an OMM series of the ISS (JSON/CSV/XML), e.g. the 2024-2025 archive")
    ap.add_argument("--landings", default=str(LANDINGS))
    ap.add_argument("--only", default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    rows = [r for r in csv.DictReader(open(args.landings, encoding="utf-8"))
            if args.only is None or args.only in r["mission"]]
    rows.sort(key=lambda r: r["undock_utc"])
    t0 = time.perf_counter()
    if args.workers > 1 and len(rows) > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            res = list(ex.map(fly, rows, [args.oem_dir] * len(rows), [args.omm] * len(rows)))
    else:
        res = [fly(r, args.oem_dir, args.omm) for r in rows]
    if args.markdown:
        print(table_markdown(res, rows))
        print()
    else:
        for r in res:
            print(r)
    print(statistics_text(res))
    print(f"{len(res)} returns in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
