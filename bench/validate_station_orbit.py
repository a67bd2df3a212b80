"""Station-orbit validation tables for docs/validation.md ("Station orbit").

1. 72 h hindcasts on NASA's ISS ephemerides: start three days into each file, the CLI default
   (``gyrfalcon propagate --from-oem FILE --start T0 --duration 72h``, i.e.
   ``load_station(FILE, predict_from_utc=T0, until_utc=T0+72h)``: drag fitted on the file's
   samples before T0, event-summary burns applied), compared with NASA's own samples.
2. OMM series: orbit determination from the element sets before each day of the series, 1-,
   3- and 7-day prediction errors against the later element sets (SGP4 positions at their epochs).
3. NASA files overlapping the series: orbit determined from the sets up to the file's creation
   date, compared with the file over its first 72 h.

Usage: python bench/validate_station_orbit.py OEM_DIR OMM_FILE [--only hindcast|omm|overlap|burns|daily|burn-starts]
Prints Markdown tables (paste into docs/validation.md).
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

import numpy as np


def hindcasts(oem_dir, fit_state=None, history_days=None):
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.time import add_seconds, iso_utc, seconds_between

    rows = []
    for f in sorted(glob.glob(os.path.join(oem_dir, "*.txt*"))):
        oem = load_oem(f)
        nasa = oem.ephemeris("GCRF")
        t0 = add_seconds(nasa.start, 3 * 86400.0)
        t1 = add_seconds(t0, 72 * 3600.0)
        w0 = time.perf_counter()
        st = ss.load_station(oem, predict_from_utc=t0, until_utc=t1, history_days=history_days)
        wall = time.perf_counter() - w0
        eph = st.ephemeris()
        tt = np.arange(0.0, 72 * 3600.0 + 1.0, 600.0)
        off_p = float(seconds_between(eph.epoch, t0))
        off_n = float(seconds_between(nasa.epoch, t0))
        err = np.linalg.norm(eph.interpolate(tt + off_p)[0] - nasa.interpolate(tt + off_n)[0], axis=1) / 1e3
        name = os.path.basename(f)
        rows.append(dict(file=name, t0=iso_utc(t0, 0), scale=st.drag.drag_scale, sigma=st.drag.sigma,
                         rms_m=st.drag.rms_m, span_h=st.drag.span_s / 3600.0, burns=len(st.burns),
                         err24=err[tt == 24 * 3600.0][0], err72=err[-1], errmax=err.max(), wall_s=wall))
        r = rows[-1]
        print(f"  {name[24:34]} scale {r['scale']:.3f} rms {r['rms_m'] or 0:.0f} m burns {r['burns']} "
              f"24h {r['err24']:.2f} 72h {r['err72']:.2f} max {r['errmax']:.2f} km ({wall:.1f} s)", file=sys.stderr)
    return rows


def _energy(r, v):
    """Specific orbital energy with the J2 term [m^2/s^2] (enough to compare two trajectories
    that are metres apart at the same instant)."""
    mu, re, j2 = 3.986004418e14, 6378137.0, 1.08262668e-3
    rn = np.linalg.norm(r)
    z = r[2] / rn
    return 0.5 * v @ v - mu / rn + mu / rn * j2 * (re / rn) ** 2 * 0.5 * (3 * z * z - 1)


def _day_fit(nasa, t_ref, base, sw, span_s=86400.0):
    """State + density scale fitted on NASA's samples of the ``span_s`` before ``t_ref``."""
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.time import seconds_between

    s = nasa.at(t_ref).with_mass(nasa.meta["spacecraft"].mass_kg)
    rel = nasa.t_s - float(seconds_between(nasa.epoch, t_ref))
    sel = (rel <= 0) & (rel >= -span_s)
    return ss.fit_arc(s, rel[sel], nasa.r_m[sel], ss._params(base, sw, "frozen"))


def burns(oem_dir):
    """Every planned burn of the 22 files as NASA's own trajectory carries it: its duration (NASA
    samples every 2 s from the TIG to the burn's end) and the dv its trajectory gains (energy
    difference, at the burn's middle, of the orbits fitted on the day before and the day after
    it, divided by the speed). Analysis of NASA's plan, not a prediction."""
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.time import add_seconds, iso_utc, seconds_between

    rows = []
    for f in sorted(glob.glob(os.path.join(oem_dir, "*.txt*"))):
        nasa = load_oem(f).ephemeris("GCRF")
        base = {"drag_area_m2": nasa.meta["spacecraft"].drag_area_m2, "drag_cd": ss.DEFAULT_CD}
        for e in [e for e in nasa.meta["events"] if e.dv_mps > 0]:
            rel = nasa.t_s - float(seconds_between(nasa.epoch, e.tig))
            dt = np.diff(rel)
            w = (rel[:-1] > -600) & (rel[:-1] < 3600) & (dt < 200)
            if not w.any():
                continue
            dur = float(rel[1:][w].max() - max(0.0, rel[:-1][w].min()))
            dv_traj = None
            if float(seconds_between(nasa.start, e.tig)) > 87000 and \
                    float(seconds_between(e.tig, nasa.stop)) > 87000 + dur + 600:
                sw = ss.space_weather_at(e.tig)
                pre = _day_fit(nasa, add_seconds(e.tig, -300.0), base, sw)
                post = _day_fit(nasa, add_seconds(e.tig, dur + 300.0 + 86400.0), base, sw)
                if pre.rms_m < 100 and post.rms_m < 100:
                    tc = add_seconds(e.tig, dur / 2)
                    prop = ss._propagator("frozen")
                    a = prop.propagate(pre.state, tc, 60.0, params=ss._params({**base, "drag_scale": pre.drag_scale},
                                                                               sw, "frozen")).at(tc)
                    b = prop.propagate(post.state, tc, 60.0, params=ss._params({**base, "drag_scale": post.drag_scale},
                                                                                sw, "frozen")).at(tc)
                    dv_traj = (_energy(b.r_m, b.v_mps) - _energy(a.r_m, a.v_mps)) / np.linalg.norm(a.v_mps)
            rows.append(dict(file=os.path.basename(f)[24:34], name=e.name, tig=iso_utc(e.tig, 0), dv=e.dv_mps,
                             dur=dur, dv_traj=dv_traj))
            print(f"  {rows[-1]}", file=sys.stderr)
    print("| NASA file | burn | TIG (UTC) | dv in the summary m/s | NASA's burn duration s | dv / duration mm/s^2 | "
          "dv NASA's trajectory gains m/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        dvt = "-" if r["dv_traj"] is None else f"{r['dv_traj']:.3f}"
        print(f"| {r['file']} | {r['name']} | {r['tig']} | {r['dv']:.1f} | {r['dur']:.0f} | "
              f"{1e3 * r['dv'] / r['dur']:.2f} | {dvt} |")
    cal = [r["dv"] / r["dur"] for r in rows if r["file"][:4] in ("2023", "2024")]
    rel = [r["dv_traj"] / r["dv"] - 1 for r in rows if r["dv_traj"] is not None]
    print(f"\nmedian dv / duration of the {len(cal)} burns of 2023-2024: {1e3 * np.median(cal):.2f} mm/s^2; "
          f"trajectory dv / summary dv - 1: median {100 * np.median(rel):+.1f} %, "
          f"{100 * min(rel):+.1f} to {100 * max(rel):+.1f} % over {len(rel)} burns\n")


def burn_starts(oem_dir, created="2025-04-01", day="2025-04-02",
                hours=(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.85, 9.875, 10.1667)):
    """72 h predictions crossing a planned reboost: the NASA file created ``created`` (its
    event summary: GMT092 ISS Reboost, TIG 2025-04-02T09:52, 2.1 m/s), predictions started at
    ``day`` + each of ``hours`` (the last three: 09:51, 09:52:30 and 10:10, inside the modelled
    burn), with the CLI default (``load_station(FILE, predict_from_utc=T0, until_utc=T0+72h)``),
    against NASA's own samples. The error at +72 h is mostly the summary's dv rounding (one
    decimal; NASA's trajectory gains 2.047 m/s, ``--only burns``): ~3 x 0.05 m/s x 70 h."""
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.time import add_seconds, iso_utc, parse_utc, seconds_between

    f = sorted(glob.glob(os.path.join(oem_dir, f"*created-{created}_*.txt*")))[0]
    oem = load_oem(f)
    nasa = oem.ephemeris("GCRF")
    rows = []
    for h in hours:
        t0 = add_seconds(parse_utc(f"{day}T00:00:00Z"), round(h * 3600.0))
        t1 = add_seconds(t0, 72 * 3600.0)
        st = ss.load_station(oem, predict_from_utc=t0, until_utc=t1)
        eph = st.ephemeris()
        tt = np.arange(0.0, 72 * 3600.0 + 1.0, 600.0)
        off_p = float(seconds_between(eph.epoch, t0))
        off_n = float(seconds_between(nasa.epoch, t0))
        err = np.linalg.norm(eph.interpolate(tt + off_p)[0] - nasa.interpolate(tt + off_n)[0], axis=1) / 1e3
        inside = any("inside the planned burn" in w for w in st.warnings)
        rows.append((iso_utc(t0, 0), st.drag.method, st.drag.drag_scale, len(st.burns), inside, err[tt == 24 * 3600.0][0],
                     err[-1], err.max()))
        print(f"  {rows[-1]}", file=sys.stderr)
    print(f"| start T0 (UTC), file {created} | drag | burns applied | start inside the burn | error 24 h km | "
          "error 72 h km | max over 72 h km |")
    print("|---|---|---|---|---|---|---|")
    for t0, method, scale, nb, inside, e24, e72, emax in rows:
        drag = f"{scale:.3f} (fit)" if method == "fit" else f"{scale:.2f} (default)"
        print(f"| {t0} | {drag} | {nb} | {'yes' if inside else 'no'} | {e24:.2f} | {e72:.2f} | {emax:.2f} |")
    e72 = [r[6] for r in rows]
    print(f"\n72 h error over the {len(rows)} starts: {min(e72):.1f} to {max(e72):.1f} km\n")
    return rows


def daily(oem_dir):
    """NASA's density, day by day, relative to NRLMSISE-00 with space weather frozen at T0: the
    state + density scale fitted on each day of NASA's samples from T0 - 3 d to T0 + 3 d, and
    the energy jump between consecutive day fits at their common boundary (expressed as an
    along-track dv; a manoeuvre NASA's trajectory carries shows as > 0.1 m/s). Then persistence
    forecasts of the scale over the 72 h after T0, made from the three days before it (last day,
    mean of 2, mean of 3, linear trend, damped trend), scored by the error of the scale weighted
    as it moves the position at 72 h (days 1, 2, 3 after T0 weigh 5 : 3 : 1), the choice made on
    the files of 2023-2024 and reported on those of 2025-2026. Analysis, not a prediction: the
    days after T0 use NASA's samples after T0."""
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.time import add_seconds, iso_utc, seconds_between

    print("| NASA file | scale of the days ending T0-2 d, T0-1 d, T0 | days ending T0+1 d, +2 d, +3 d | largest "
          "energy jump T0..T0+3 d, m/s (at) | planned burns in T0..T0+3 d |")
    print("|---|---|---|---|---|")
    series = {}
    for f in sorted(glob.glob(os.path.join(oem_dir, "*.txt*"))):
        nasa = load_oem(f).ephemeris("GCRF")
        base = {"drag_area_m2": nasa.meta["spacecraft"].drag_area_m2, "drag_cd": ss.DEFAULT_CD}
        t0 = add_seconds(nasa.start, 3 * 86400.0)
        sw = ss.space_weather_at(t0)
        prop = ss._propagator("frozen")
        fits = {}
        for k in range(-2, 4):
            t = add_seconds(t0, k * 86400.0)
            if float(seconds_between(t, nasa.stop)) < 0:
                continue
            fit = _day_fit(nasa, t, base, sw)
            fits[k] = (t, fit if fit.rms_m < 100 else None)
        jumps = []
        for k in range(1, 4):
            if k not in fits or fits[k][1] is None or fits[k - 1][1] is None:
                continue
            (ta, fa), (_tb, fb) = fits[k - 1], fits[k]
            b = prop.propagate(fb.state, ta, 60.0, params=ss._params({**base, "drag_scale": fb.drag_scale}, sw,
                                                                       "frozen")).at(ta)
            jumps.append(((_energy(b.r_m, b.v_mps) - _energy(fa.state.r_m, fa.state.v_mps))
                          / np.linalg.norm(fa.state.v_mps), iso_utc(ta, 0)))
        sc = {k: (np.nan if v[1] is None else v[1].drag_scale) for k, v in fits.items()}
        name = os.path.basename(f)[24:34]
        series[name] = sc
        planned = [e.name for e in nasa.meta["events"] if e.dv_mps > 0
                   and 0 <= float(seconds_between(t0, e.tig)) < 3 * 86400.0]
        big = max(jumps, key=lambda j: abs(j[0])) if jumps else (np.nan, "-")
        fmt = lambda ks: ", ".join("-" if np.isnan(sc.get(k, np.nan)) else f"{sc[k]:.3f}" for k in ks)  # noqa: E731
        print(f"| {name} | {fmt((-2, -1, 0))} | {fmt((1, 2, 3))} | {big[0]:+.3f} ({big[1][5:16]}) | "
              f"{', '.join(planned) or '-'} |")
        print(f"  {name} {sc} jumps {jumps}", file=sys.stderr)
    w = np.array([5.0, 3.0, 1.0]) / 9.0

    def trend(p):
        c = np.polyfit([-2.0, -1.0, 0.0], p, 1)
        return np.polyval(c, [1.0, 2.0, 3.0])

    preds = {"last day (persistence)": lambda p: np.full(3, p[-1]), "mean of 2 days": lambda p: np.full(3, p[-2:].mean()),
             "mean of 3 days": lambda p: np.full(3, p.mean()), "linear trend of 3 days": trend,
             "half the linear trend": lambda p: p[-1] + 0.5 * (trend(p) - np.polyval(np.polyfit([-2.0, -1.0, 0.0], p, 1), 0.0))}
    print("\n| forecast of the scale over T0..T0+3 | 2023-2024 median / worst weighted error % | "
          "2025-2026 median / worst % |")
    print("|---|---|---|")
    for label, fn in preds.items():
        err = {"cal": [], "test": []}
        for name, sc in series.items():
            pre = np.array([sc.get(k, np.nan) for k in (-2, -1, 0)])
            post = np.array([sc.get(k, np.nan) for k in (1, 2, 3)])
            if np.isnan(pre).any() or np.isnan(post).any():
                continue
            e = 100 * abs(w @ (fn(pre) - post)) / np.mean(post)
            err["cal" if name[:4] in ("2023", "2024") else "test"].append(e)
        c, t = np.array(err["cal"]), np.array(err["test"])
        print(f"| {label} | {np.median(c):.1f} / {c.max():.1f} ({len(c)}) | {np.median(t):.1f} / {t.max():.1f} ({len(t)}) |")
    print()


def print_hindcasts(rows):
    print("| NASA file (created) | T0 (UTC) | drag scale +- 1 sigma | fit arc h | fit rms m | burns applied | "
          "error 24 h km | error 72 h km | max over 72 h km |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        sig = "" if r["sigma"] is None else f" +- {r['sigma']:.4f}"
        print(f"| {r['file'][24:34]} | {r['t0']} | {r['scale']:.3f}{sig} | {r['span_h']:.0f} | "
              f"{(r['rms_m'] or 0):.0f} | {r['burns']} | {r['err24']:.2f} | {r['err72']:.2f} | {r['errmax']:.2f} |")
    m = np.array([r["errmax"] for r in rows])
    print(f"\nmax error over 72 h: median {np.median(m):.2f} km, worst {m.max():.2f} km over {len(m)} files; "
          f"72 h error: median {np.median([r['err72'] for r in rows]):.2f} km\n")


def omm_series(omm_file, horizons=(1, 3, 7)):
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.orbits.tle import load_omm
    from gyrfalcon.time import add_seconds, iso_utc, parse_utc, seconds_between

    sets, _, _ = ss.check_series(load_omm(omm_file))
    first, last = sets[0].epoch, sets[-1].epoch
    n_days = int(float(seconds_between(first, last)) // 86400)
    errs = {h: [] for h in horizons}
    walls = []
    for d in range(3, n_days):
        t_at = add_seconds(parse_utc(iso_utc(first, 0)[:10] + "T00:00:00Z"), d * 86400.0)
        try:
            w0 = time.perf_counter()
            state, drag, warns, arc, mans = ss.determine_orbit(sets, t_at)
            walls.append(time.perf_counter() - w0)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"  {iso_utc(t_at, 0)[:10]}: {exc}", file=sys.stderr)
            continue
        if drag.method != "fit":
            continue
        later = [s for s in sets if float(seconds_between(t_at, s.epoch)) > 0]
        end = add_seconds(t_at, (max(horizons) + 0.6) * 86400.0)
        try:
            eph = ss.propagate_state(state, drag, end)
        except Exception as exc:  # noqa: BLE001
            print(f"  {iso_utc(t_at, 0)[:10]}: {exc}", file=sys.stderr)
            continue
        for h in horizons:
            # the later sets nearest h days after t_at (within +-0.5 d), none across a manoeuvre
            cands = [s for s in later if abs(float(seconds_between(t_at, s.epoch)) / 86400.0 - h) <= 0.5]
            if not cands:
                continue
            s = min(cands, key=lambda s: abs(float(seconds_between(t_at, s.epoch)) / 86400.0 - h))
            span = [x for x in sets if 0 < float(seconds_between(t_at, x.epoch)) <= float(seconds_between(t_at, s.epoch))]
            _, _, m2 = ss.check_series([arc[-1]] + span)
            if m2:
                continue
            teme = s.state_at(s.epoch)
            g = teme.to("GCRF")
            errs[h].append(float(np.linalg.norm(eph.at(s.epoch).r_m - g.r_m)) / 1e3)
    return errs, walls


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("oem_dir")
    ap.add_argument("omm_file")
    ap.add_argument("--only", default=None)
    ap.add_argument("--split", action="store_true",
                    help="the fit-arc choice made on the 2023-2024 files only and reported on the 2025-2026 files")
    a = ap.parse_args(argv)
    if a.split:
        split_arc(a.oem_dir)
        return
    if a.only == "burns":
        burns(a.oem_dir)
    if a.only == "daily":
        daily(a.oem_dir)
    if a.only == "burn-starts":
        burn_starts(a.oem_dir)
    if a.only in (None, "hindcast"):
        print("### 72 h hindcasts against NASA's own prediction\n")
        print_hindcasts(hindcasts(a.oem_dir))
    if a.only in (None, "omm"):
        errs, walls = omm_series(a.omm_file)
        print("### Predictions from the OMM series against later element sets\n")
        print("| horizon | cases | median km | p95 km | max km |")
        print("|---|---|---|---|---|")
        for h, e in errs.items():
            e = np.array(e)
            if len(e):
                print(f"| {h} d | {len(e)} | {np.median(e):.1f} | {np.percentile(e, 95):.1f} | {e.max():.1f} |")
        print(f"\norbit determination: median {np.median(walls):.2f} s, max {max(walls):.2f} s per fit\n")
    if a.only in (None, "overlap"):
        overlap(a.oem_dir, a.omm_file)


def split_arc(oem_dir, arcs_days=(3.0, 1.5, 1.0, 0.75, 0.625, 0.5, 0.375, 0.3, 0.25)):
    """The fit arc is a choice of the OEM prediction made on data: choose it on the files created
    in 2023-2024 (the calibration subset) and report it on those of 2025-2026."""
    per = {d: hindcasts(oem_dir, history_days=d) for d in arcs_days}

    def stats(rows, years):
        e = np.array([r["errmax"] for r in rows if r["file"][24:28] in years])
        return np.median(e), e.max(), len(e)

    cal, test = ("2023", "2024"), ("2025", "2026")
    print("| fit arc | 2023-2024 median / worst km (n) | 2025-2026 median / worst km (n) | all median / worst km |")
    print("|---|---|---|---|")
    for d, rows in per.items():
        a, b, c = stats(rows, cal), stats(rows, test), stats(rows, cal + test)
        print(f"| {d:g} d | {a[0]:.2f} / {a[1]:.2f} ({a[2]}) | {b[0]:.2f} / {b[1]:.2f} ({b[2]}) | "
              f"{c[0]:.2f} / {c[1]:.2f} |")
    best = min(arcs_days, key=lambda d: stats(per[d], cal)[0] + stats(per[d], cal)[1])
    b = stats(per[best], test)
    print(f"\nchosen on 2023-2024 (least median + worst): {best:g} d; on 2025-2026: median {b[0]:.2f}, worst {b[1]:.2f} km")


def overlap(oem_dir, omm_file):
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.orbits.tle import load_omm
    from gyrfalcon.time import add_seconds, seconds_between

    sets, _, _ = ss.check_series(load_omm(omm_file))
    print("### NASA files overlapping the OMM series: fit on the sets up to the file's creation\n")
    print("| NASA file (created) | sets used | last set | drag scale | error at +0 h km | +24 h km | +72 h km |")
    print("|---|---|---|---|---|---|---|")
    for f in sorted(glob.glob(os.path.join(oem_dir, "*.txt*"))):
        oem = load_oem(f)
        c = oem.creation_date
        if not (float(seconds_between(sets[0].epoch, c)) > 3 * 86400 and float(seconds_between(c, sets[-1].epoch)) > 0):
            continue
        nasa = oem.ephemeris("GCRF")
        st = ss.load_station(sets, at_utc=c, until_utc=add_seconds(c, 4 * 86400.0))
        eph = st.ephemeris()
        out = []
        for h in (0, 24, 72):
            t = add_seconds(c, h * 3600.0)
            out.append(float(np.linalg.norm(eph.at(t).r_m - nasa.at(t).r_m)) / 1e3)
        print(f"| {os.path.basename(f)[24:34]} | {st.source.split(' element')[0].split()[-1]} | {st.data_end_utc} | "
              f"{st.drag.drag_scale:.3f} | {out[0]:.2f} | {out[1]:.2f} | {out[2]:.2f} |")
    print()


if __name__ == "__main__":
    main()
