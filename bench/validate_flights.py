"""Validation of the predicted contact time on real flights (regenerates the docs/validation.md table).

    python bench/validate_flights.py --oem-dir DIR            # the 17 development flights
    python bench/validate_flights.py --oem-dir DIR --markdown # the table as Markdown
    python bench/validate_flights.py --oem-dir DIR --only "Soyuz MS-28" --workers 1
    python bench/validate_flights.py --from-tles         # the same flights, ISS from iss_tles.csv
    python bench/validate_flights.py --held-out          # 2020-2022 flights, ISS from public TLEs
    python bench/validate_flights.py --held-out-2018     # 2018-2019 flights, ISS from public TLEs
    python bench/validate_flights.py --held-out-2015     # 2015-2017 flights, ISS from public TLEs
    python bench/validate_flights.py --flights F.csv --tles SETS.txt   # your own list

DIR holds the NASA ISS OEM files named in ``tests/data/flights_2023_2026.csv`` (column
``station_oem``). ``--flights FILE`` takes another list in the same columns; an optional ``pad``
column names the launch pad (default ``baikonur-31``; ``baikonur-1`` for the Soyuz-FG flights
of 2018-2019). A row with ``station_tle_epoch`` instead of ``station_oem`` flies with the ISS
from element sets: those of ``tests/data/iss_tles.csv`` and ``iss_tles_public.csv`` plus any
``--tles FILE``; the row is refused if no set of that epoch is among them. Each flight is flown as a user would: the REAL liftoff time, the real
vehicle, pad (Baikonur 31/6) and docking port, the station from the NASA ephemeris made before
the flight; parametric insertion into the station's plane (the J2-biased plane for the two-day
scheme), the planner (phasing and rendezvous burns from the geometry, ``full`` force model,
finite burns), then the closed-loop approach (``proximity.approach``) to the port. Nothing of the
flight's own timeline is read: the CSV's docking time is only compared with.

The scheme flown is the flight's real one. When the phase at insertion computed with the NASA
ephemeris falls outside the scheme's published range (a stale ephemeris: NASA files are
predictions made days before) the scheme is forced (``enforce_range=False``) and the row says so.

Launch error: the liftoff the window search predicts for that day and scheme (nearest feasible
window, ``launch.windows.find_windows``) minus the real liftoff. It is the window's liftoff into the
scheme's plane (``inplane_launch_utc``): where a stale ephemeris puts the phase just outside the
range, the window also offers a liftoff moved by ``slip_s`` (at most 5 min) into it, which is not
what this column measures.

Tolerance (issue 14): two-orbit and four-orbit 5 min, two-day 15 min.
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import pathlib
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLIGHTS = ROOT / "tests" / "data" / "flights_2023_2026.csv"
HELD_OUT = ROOT / "tests" / "data" / "flights_2020_2022.csv"
HELD_OUT_2018 = ROOT / "tests" / "data" / "flights_2018_2019.csv"
HELD_OUT_2015 = ROOT / "tests" / "data" / "flights_2015_2017.csv"
TLES = (ROOT / "tests" / "data" / "iss_tles.csv", ROOT / "tests" / "data" / "iss_tles_public.csv",
        ROOT / "tests" / "data" / "iss_tles_2015_2017.csv")
TOL_MIN = {"two-orbit": 5.0, "four-orbit": 5.0, "two-day": 15.0}


def _utc(text: str) -> str:
    text = text.strip().replace(" ", "T").rstrip("Z")
    if len(text) == 16:          # minute only: hh:mm
        text += ":00"
    return text + "Z"


def fly(row: dict, oem_dir: str, seed: int = 0, tle_files: tuple = ()) -> dict:
    """One flight: plan + approach; returns a result row (times ISO UTC, errors in minutes). A
    flight that cannot be flown (an unknown scheme or port, an ephemeris that does not cover it,
    ...) is a row saying why, not the end of the table."""
    try:
        return _fly(row, oem_dir, seed, tle_files)
    except Exception as exc:
        return {"mission": row.get("mission", "?"), "vehicle": row.get("vehicle", "?"),
                "scheme": row.get("scheme", "?"), "port": row.get("port", "?"),
                "status": row.get("docking_status", ""), "real_utc": _utc(row.get("docking_utc") or "0000-00-00T00:00"),
                "phase_deg": float("nan"), "phase_inside": True, "within": False,
                "error": f"{type(exc).__name__}: {exc}", "seconds": 0.0}


def _fly(row: dict, oem_dir: str, seed: int = 0, tle_files: tuple = ()) -> dict:
    import numpy as np

    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.launch.insertion import parametric_insertion
    from gyrfalcon.launch.sites import load_sites
    from gyrfalcon.launch.vehicles import launcher_for_pad
    from gyrfalcon.rendezvous import schemes
    from gyrfalcon.rendezvous.handover import plan_and_fly
    from gyrfalcon.rendezvous.plan import recommended_plane_normal
    from gyrfalcon.time import parse_utc, seconds_between

    t_start = time.perf_counter()
    liftoff = parse_utc(_utc(row["launch_utc"]))
    if row.get("station_tle_epoch"):
        eph = _tle_ephemeris(row["station_tle_epoch"], liftoff, tle_files)
    else:
        eph = load_oem(os.path.join(oem_dir, row["station_oem"])).ephemeris("GCRF")
    pad = load_sites().get((row.get("pad") or "").strip() or "baikonur-31")
    real = parse_utc(_utc(row["docking_utc"]))
    scheme = row["scheme"]
    sch = schemes.get_scheme(scheme)
    s = eph.at(liftoff)
    h = np.cross(s.r_m, s.v_mps)
    launcher = launcher_for_pad(pad)          # as the library picks it
    ins = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, h / np.linalg.norm(h), vehicle=launcher)
    st = eph.at(ins.t)
    phase = schemes.phase_angle_rad(st.r_m, st.v_mps, ins.r_gcrf_m)
    inside = sch.catch_up_rad(phase) is not None
    if sch.aim_slot.kind == "time":
        c = sch.catch_up_rad(phase) if inside else sch.nearest_catch_up_rad(phase)
        n = recommended_plane_normal(s.r_m, s.v_mps, sch.aim_slot.after_insertion_s, c)
        ins = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, n, vehicle=launcher)
    out = {"mission": row["mission"], "vehicle": row["vehicle"], "scheme": scheme, "port": row["port"],
           "status": row["docking_status"], "real_utc": _utc(row["docking_utc"]),
           "phase_deg": math.degrees(phase), "phase_inside": inside}
    port = row["port"]
    try:
        plan, res = plan_and_fly(ins, eph, scheme=scheme, vehicle=row["vehicle"], port_id=port, seed=seed,
                                 plan_kwargs={"trajectory_step_s": 0, "enforce_range": False})
    except Exception as exc:  # a row of the table, not a crash of the bench
        out.update(error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t_start)
        return out
    out.update(dv_mps=plan.total_dv_mps, aim_utc=plan.aim_utc, handover_utc=plan.arrival_utc,
               planned_contact_utc=plan.nominal_contact_utc, verdict=res.verdict, rule=plan.arrival_rule,
               contact_utc=res.contact_utc)
    if res.contact_utc is not None:
        c = parse_utc(res.contact_utc)
        out["error_min"] = float(seconds_between(real, c)) / 60.0
        out["duration_h"] = float(seconds_between(liftoff, c)) / 3600.0
        out["real_duration_h"] = float(seconds_between(liftoff, real)) / 3600.0
        out["approach_min"] = float(seconds_between(parse_utc(plan.aim_utc), c)) / 60.0
        out["within"] = abs(out["error_min"]) <= TOL_MIN.get(scheme, max(TOL_MIN.values()))
    else:
        out["within"] = False
    out["launch_error_s"] = _launch_error_s(eph, pad, scheme, liftoff, row["vehicle"])
    out["seconds"] = time.perf_counter() - t_start
    return out


def _tle_ephemeris(epoch_text: str, liftoff, tle_files: tuple = ()):
    """The ISS as ``rendezvous --station-tle`` gives it (:func:`gyrfalcon.load_station`) from
    every set of the TLE files (``TLES`` plus ``tle_files``): only the sets dated before liftoff
    serve (state and drag fitted on those of the last days, else the last set with the default
    drag scale), propagated numerically to liftoff + 4 days. ``epoch_text`` (the flight list's
    latest set before liftoff) must be the one the loader ends its data with: a flight whose set
    is missing from the files is refused, not flown from an older set."""
    from gyrfalcon.orbits.station_source import load_station
    from gyrfalcon.orbits.tle import TLE, load_tles
    from gyrfalcon.time import add_seconds, parse_utc, seconds_between

    sets = [TLE.from_lines(r["tle_line1"], r["tle_line2"]) for r in _tle_rows()]
    for path in tle_files:
        sets += load_tles(path)  # a TLE/3LE text or a CSV table of TLE lines
    st = load_station(sets, at_utc=liftoff, until_utc=add_seconds(liftoff, 4 * 86400.0), label="ISS TLE series")
    want = parse_utc(_utc(epoch_text))
    if st.data_end_utc is None or abs(float(seconds_between(want, parse_utc(st.data_end_utc)))) > 1.0:
        raise ValueError(f"station_tle_epoch {epoch_text}: no such set before liftoff in the TLE files "
                         f"(the latest is {st.data_end_utc}); give the file that holds it with --tles")
    return st.ephemeris("GCRF")


def _tle_rows() -> list:
    """Every ISS element set of the two TLE files (``iss_tles.csv``, the project's shared
    reference; ``iss_tles_public.csv``, sets of 2018-2022 found in public source files), in
    epoch order."""
    rows = [r for f in TLES for r in csv.DictReader(open(f, encoding="utf-8"))]
    return sorted(rows, key=lambda r: r["epoch_utc"])


def _launch_error_s(eph, pad, scheme, liftoff, vehicle):
    """Predicted liftoff (window search, nearest window of that scheme) minus the real one [s]."""
    from gyrfalcon.launch.vehicles import launcher_for_pad
    from gyrfalcon.launch.windows import find_windows
    from gyrfalcon.time import add_seconds, seconds_between

    try:
        wins = find_windows(eph, pad, scheme, add_seconds(liftoff, -3 * 3600.0), 0.25, spacecraft=vehicle,
                            vehicle=launcher_for_pad(pad))
    except TypeError:
        wins = find_windows(eph, pad, scheme, add_seconds(liftoff, -3 * 3600.0), 0.25)
    except Exception:
        return None
    if not wins:
        return None
    go = [getattr(w, "inplane_launch_utc", w.launch_utc) for w in wins]
    t = min(go, key=lambda t: abs(float(seconds_between(liftoff, t))))
    return float(seconds_between(liftoff, t))


def _fmt_min(x):
    return "-" if x is None else f"{x:+.1f}"


def table_markdown(rows: list) -> str:
    head = ("| flight | scheme | port | phase at insertion [deg] | launch error [s] | predicted contact (UTC) | "
            "real contact (UTC) | how the real time was obtained | error [min] | within tol. | dv [m/s] |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        ph = f"{r['phase_deg']:.1f}" + ("" if r["phase_inside"] else " (outside the range: forced)")
        le = "-" if r.get("launch_error_s") is None else f"{r['launch_error_s']:+.0f}"
        pred = r.get("contact_utc") or (r.get("verdict") or r.get("error", "no contact"))
        pred = pred[:19].replace("T", " ") if r.get("contact_utc") else pred
        if r.get("port_note"):
            pred += f" ({r['port_note']})"
        real = r["real_utc"][:19].replace("T", " ")
        ok = "yes" if r.get("within") else "**no**"
        dv = "-" if r.get("dv_mps") is None else f"{r['dv_mps']:.1f}"
        lines.append(f"| {r['mission']} | {r['scheme']} | {r['port']} | {ph} | {le} | {pred} | {real} | "
                     f"{r['status']} | {_fmt_min(r.get('error_min'))} | {ok} | {dv} |")
    return head + "\n".join(lines)


def statistics_text(rows: list) -> str:
    out = []
    flown = [r for r in rows if not r["status"].startswith("planned")]
    planned = [r for r in rows if r["status"].startswith("planned")]
    for name, group in (("all", rows), ("flown (actual docking time)", flown), ("planned-only", planned)):
        errs = [r["error_min"] for r in group if r.get("error_min") is not None]
        n_ok = sum(1 for r in group if r.get("within"))
        if not errs:
            continue
        out.append(f"- {name}: {n_ok}/{len(group)} within tolerance; error mean {statistics.mean(errs):+.1f} min, "
                   f"median {statistics.median(errs):+.1f}, mean |error| {statistics.mean(abs(e) for e in errs):.1f}, "
                   f"max |error| {max(abs(e) for e in errs):.1f} min")
    for sch in ("two-orbit", "four-orbit", "two-day"):
        errs = [r["error_min"] for r in rows if r["scheme"] == sch and r.get("error_min") is not None]
        n_ok = sum(1 for r in rows if r["scheme"] == sch and r.get("within"))
        n = sum(1 for r in rows if r["scheme"] == sch)
        if errs:
            sd = statistics.pstdev(errs)
            out.append(f"- {sch}: {n_ok}/{n} within tolerance; error mean {statistics.mean(errs):+.1f} min, "
                       f"standard deviation {sd:.1f} min")
    return "\n".join(out)


def with_tle_epochs(rows: list, max_age_days: float = 6.0) -> list:
    """The rows that have an ISS set in ``iss_tles.csv`` dated less than ``max_age_days`` before
    liftoff, each with ``station_tle_epoch`` set to the latest such set (as the held-out CSV has)."""
    from gyrfalcon.time import parse_utc, seconds_between

    epochs = [r["epoch_utc"] for r in _tle_rows()]
    out = []
    for r in rows:
        liftoff = parse_utc(_utc(r["launch_utc"]))
        age = {e: float(seconds_between(parse_utc(_utc(e[:19])), liftoff)) for e in epochs}
        before = [e for e in epochs if 0.0 < age[e] < max_age_days * 86400.0]
        if before:
            out.append({**r, "station_tle_epoch": max(before, key=lambda e: -age[e])})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oem-dir", default=None, help="directory with the NASA ISS OEM files of the flights")
    ap.add_argument("--flights", default=None)
    ap.add_argument("--held-out", action="store_true",
                    help="the 2020-2022 flights (tests/data/flights_2020_2022.csv), ISS from public TLEs (the station loader's fit)")
    ap.add_argument("--held-out-2018", action="store_true",
                    help="the 2018-2019 flights (tests/data/flights_2018_2019.csv), ISS from TLEs")
    ap.add_argument("--held-out-2015", action="store_true",
                    help="the 2015-2017 flights (tests/data/flights_2015_2017.csv), ISS from TLEs")
    ap.add_argument("--from-tles", action="store_true",
                    help="the development flights with the ISS from the TLEs of iss_tles.csv instead of NASA's "
                         "ephemerides (the flights with a set dated less than 6 days before liftoff)")
    ap.add_argument("--tles", action="append", default=[], metavar="FILE",
                    help="more ISS element sets for the flights' station_tle_epoch (a TLE file, or a CSV "
                         "with tle_line1/tle_line2 columns); repeatable")
    ap.add_argument("--only", default=None, help="fly only the flights whose name contains this text")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    flights = args.flights or str(HELD_OUT if args.held_out else HELD_OUT_2018 if args.held_out_2018
                                  else HELD_OUT_2015 if args.held_out_2015 else FLIGHTS)
    rows = [r for r in csv.DictReader(open(flights, encoding="utf-8"))
            if args.only is None or args.only in r["mission"]]
    if args.from_tles:
        rows = with_tle_epochs(rows)
    if args.oem_dir is None and any(not r.get("station_tle_epoch") for r in rows):
        ap.error("--oem-dir is needed for flights with a NASA OEM (column station_oem)")
    t0 = time.perf_counter()
    if args.workers > 1 and len(rows) > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            res = list(ex.map(fly, rows, [args.oem_dir] * len(rows), [args.seed] * len(rows),
                              [tuple(args.tles)] * len(rows)))
    else:
        res = [fly(r, args.oem_dir, args.seed, tuple(args.tles)) for r in rows]
    if args.markdown:
        print(table_markdown(res))
        print()
        print(statistics_text(res))
    else:
        for r in res:
            print(f"{r['mission']:30s} {r['scheme']:9s} {r['port']:14s} phase {r['phase_deg']:6.1f} "
                  f"pred {r.get('contact_utc') or r.get('error', r.get('verdict'))} real {r['real_utc']} "
                  f"err {_fmt_min(r.get('error_min'))} min {'OK' if r.get('within') else 'MISS'} "
                  f"dv {r.get('dv_mps', float('nan')):.1f} launch err {r.get('launch_error_s')} "
                  f"({r['seconds']:.0f} s)")
        print(statistics_text(res))
    print(f"{len(res)} flights in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
