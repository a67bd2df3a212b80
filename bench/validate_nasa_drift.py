"""How NASA's own ISS predictions age: each NASA/JSC ephemeris against the real ISS element sets
dated after its CREATION_DATE and inside its span (each set's SGP4 position at its own epoch as
the truth, GCRF), binned by the age of the prediction. The basis for judging the staleness
warning's figures on an OEM (docs/validation.md "How NASA's predictions age").

    python bench/validate_nasa_drift.py --oem-dir DIR [--omm-dir DIR] [--tle-csv FILE ...]

``--oem-dir``: the NASA ``ISS.OEM_J2K_EPH`` files (.txt or .txt.gz); ``--omm-dir``: OMM JSON
files (.json or .json.gz, lists of CelesTrak records); ``--tle-csv``: CSVs with ``tle_line1`` and
``tle_line2`` columns (the project's ``tests/data/iss_tles*.csv``). Sets with |BSTAR| > 0.01 are
left out, sets of the same second counted once. The element sets carry ~0.5-1 km of their own.
"""
from __future__ import annotations

import argparse
import csv
import glob
import gzip
import json
import os

import numpy as np

BINS_D = ((0, 1), (1, 2), (2, 4), (4, 7), (7, 10), (10, 15.01))


def _truth_sets(omm_dir, tle_csvs):
    from sgp4 import omm
    from sgp4.api import Satrec
    from skyfield.api import EarthSatellite

    from gyrfalcon.time import timescale

    ts = timescale()
    sats = []
    for p in tle_csvs:
        with open(p, newline="") as f:
            for row in csv.DictReader(f):
                sats.append(EarthSatellite(row["tle_line1"].strip(), row["tle_line2"].strip(), "ISS", ts))
    for p in sorted(glob.glob(os.path.join(omm_dir, "*.json*"))) if omm_dir else ():
        opener = gzip.open if p.endswith(".gz") else open
        with opener(p, "rt") as f:
            for rec in json.load(f):
                s = Satrec()
                omm.initialize(s, {k: str(v) for k, v in rec.items()})
                sats.append(EarthSatellite.from_satrec(s, ts))
    uniq = {}
    for s in sats:
        if abs(s.model.bstar) <= 0.01:
            uniq.setdefault(round(s.epoch.tt * 86400.0), s)
    return sorted(uniq.values(), key=lambda s: s.epoch.tt)


def _or(a, b):
    return a if a is not None else b


def pairs(oem_dir, truth) -> list:
    """(file, age [d], error [km], along-track [km], planned burn in between) per (file, set)."""
    from gyrfalcon.io.oem import load_oem

    t_tt = np.array([s.epoch.tt for s in truth])
    out = []
    for path in sorted(glob.glob(os.path.join(oem_dir, "ISS.OEM_J2K_EPH*"))):
        oem = load_oem(path)
        eph = oem.ephemeris("GCRF")
        c = oem.creation_date
        lo = max(c.tt, min(_or(s.useable_start, s.start).tt for s in oem.segments))
        hi = max(_or(s.useable_stop, s.stop).tt for s in oem.segments)
        burns = [e.tig.tt for e in oem.events if e.dv_mps != 0.0]
        for i in np.nonzero((t_tt > lo) & (t_tt <= hi))[0]:
            sat = truth[i]
            st = eph.at(sat.epoch)
            d = st.r_m - sat.at(sat.epoch).position.m
            n = np.cross(st.r_m, st.v_mps)
            along = np.cross(n / np.linalg.norm(n), st.r_m / np.linalg.norm(st.r_m))
            out.append((os.path.basename(path), sat.epoch.tt - c.tt, np.linalg.norm(d) / 1e3, float(d @ along) / 1e3,
                        any(c.tt < b <= sat.epoch.tt for b in burns)))
    return out


def table_markdown(rows) -> str:
    age = np.array([r[1] for r in rows])
    err = np.array([r[2] for r in rows])
    lines = ["| age of the prediction [d] | pairs | median km | p95 km | max km |", "|---|---|---|---|---|"]
    for a, b in BINS_D:
        e = err[(age >= a) & (age < b)]
        if len(e):
            lines.append(f"| {a:g}-{b:.0f} | {len(e)} | {np.median(e):.1f} | {np.percentile(e, 95):.1f} | {e.max():.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--oem-dir", required=True)
    ap.add_argument("--omm-dir")
    ap.add_argument("--tle-csv", nargs="*", default=())
    ap.add_argument("--without", nargs="*", default=(), help="file-name fragments to leave out of a second table")
    a = ap.parse_args(argv)
    truth = _truth_sets(a.omm_dir, a.tle_csv)
    rows = pairs(a.oem_dir, truth)
    files = sorted({r[0] for r in rows})
    print(f"{len(truth)} element sets; {len(rows)} pairs over {len(files)} NASA files\n")
    print(table_markdown(rows))
    if a.without:
        kept = [r for r in rows if not any(w in r[0] for w in a.without)]
        print(f"\nwithout {', '.join(a.without)} ({len(kept)} pairs):\n")
        print(table_markdown(kept))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
