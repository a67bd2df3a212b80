"""Matplotlib figures of a flown mission, for :mod:`gyrfalcon.mission.report`.

Each ``*_figure`` function takes the phase result(s) it draws and returns a
:class:`matplotlib.figure.Figure` (built with the object-oriented API on the Agg canvas: no
pyplot state, no display, no network), or ``None`` when the data it needs is missing.
:func:`mission_figures` returns every figure of a :class:`~gyrfalcon.mission.result.MissionResult`
as :class:`Plot` records (key, title, caption with units, figure or a note saying why it is
missing).

Assumptions: altitudes are geodetic (WGS-84) from ITRF positions; the phase angle is
:func:`gyrfalcon.rendezvous.schemes.phase_angle_rad` (station ahead of the chaser, in the
station's orbit plane); LVLH is the CCSDS frame of :func:`gyrfalcon.frames.lvlh_matrix`
(x = V-bar along-track, z = R-bar toward the Earth). The world map is a plain
equirectangular longitude/latitude grid without coastlines (no map data ships with
Gyrfalcon); the ground sites (Baikonur pad, the landing zone, Zhezkazgan) are marked instead.

>>> from gyrfalcon.mission.plots import ascent_figure
>>> ascent_figure(None) is None
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Ground sites drawn on the ground-track map: name -> (lat_deg, lon_deg).
#: Baikonur 31/6 (domain.md 1.4); Zhezkazgan city (the Soyuz landing zone's reference town).
GROUND_SITES = {
    "Baikonur 31/6": (45.9961, 63.5639),
    "Zhezkazgan": (47.78, 67.71),
}


@dataclass(frozen=True)
class Plot:
    """One report figure: ``figure`` is None when the data was missing (``note`` says why)."""

    key: str
    title: str
    caption: str
    figure: Any = None
    note: str = ""


def _figure(w: float = 8.0, h: float = 4.2):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _geodetic(t_epoch, t_s, r_gcrf_m):
    """(lat_deg, lon_deg, alt_m) arrays of GCRF positions at ``t_epoch + t_s`` (TT seconds)."""
    from ..frames import gcrf_to_itrf, geodetic_from_itrf
    from ..time import add_seconds

    t = add_seconds(t_epoch, np.asarray(t_s, float))
    r_i = gcrf_to_itrf(t, np.asarray(r_gcrf_m, float))
    lat, lon, alt = geodetic_from_itrf(r_i)
    return np.degrees(lat), np.degrees(lon), np.asarray(alt, float)


def _split_wrap(lon_deg, lat_deg):
    """Insert NaNs where the longitude wraps at +-180 deg so a track is not drawn across the map."""
    lon = np.asarray(lon_deg, float).copy()
    lat = np.asarray(lat_deg, float).copy()
    jumps = np.where(np.abs(np.diff(lon)) > 180.0)[0] + 1
    return np.insert(lon, jumps, np.nan), np.insert(lat, jumps, np.nan)


def _hours_since(t0, t):
    from ..time import seconds_between

    return float(seconds_between(t0, t)) / 3600.0


# --------------------------------------------------------------------------------------
# the figures
# --------------------------------------------------------------------------------------
def ascent_figure(ascent):
    """Altitude [km], inertial speed [km/s] and dynamic pressure [kPa] against MET [s], with
    the ascent events marked."""
    if ascent is None:
        return None
    tr = ascent.trajectory
    fig = _figure(8.0, 5.0)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(tr.met_s, tr.altitude_m / 1e3, color="C0", label="altitude")
    ax1.set_ylabel("geodetic altitude [km]")
    axs = ax1.twinx()
    axs.plot(tr.met_s, tr.inertial_speed_mps / 1e3, color="C1", label="inertial speed")
    axs.plot(tr.met_s, tr.relative_speed_mps / 1e3, color="C1", ls="--", label="Earth-relative speed")
    axs.set_ylabel("speed [km/s]")
    ax2.plot(tr.met_s, tr.dynamic_pressure_pa / 1e3, color="C2", label="dynamic pressure")
    ax2.set_ylabel("dynamic pressure [kPa]")
    ax3 = ax2.twinx()
    ax3.plot(tr.met_s, tr.accel_g, color="C3", label="sensed acceleration")
    ax3.set_ylabel("sensed acceleration [g]")
    ax2.set_xlabel("mission elapsed time [s]")
    last = -1e9
    for ev in ascent.timeline:
        for ax in (ax1, ax2):
            ax.axvline(ev.met_s, color="0.7", lw=0.7, zorder=0)
        if ev.met_s - last > 12.0:      # events a few seconds apart share one label
            ax1.annotate(ev.name, (ev.met_s, ax1.get_ylim()[1]), rotation=90, fontsize=7, va="top", ha="right",
                         color="0.35")
            last = ev.met_s
    ax1.legend(loc="upper left", fontsize=8)
    axs.legend(loc="lower right", fontsize=8)
    ax2.legend(loc="upper left", fontsize=8)
    ax3.legend(loc="upper right", fontsize=8)
    ax1.set_title(f"{ascent.vehicle} ascent")
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    return fig


def ground_track_figure(ascent=None, chaser=None, landing=None, sites=None):
    """Ground tracks on an equirectangular lon/lat grid [deg]: ascent, chaser orbits, descent;
    ground sites marked. Returns None when there is no track at all."""
    if ascent is None and chaser is None and landing is None:
        return None
    fig = _figure(9.0, 6.0)
    ax = fig.subplots()
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(range(-180, 181, 30))
    ax.set_yticks(range(-90, 91, 30))
    ax.grid(alpha=0.4)
    ax.set_aspect("equal")
    ax.set_facecolor("#eef4fa")
    ax.set_xlabel("longitude [deg E]")
    ax.set_ylabel("geodetic latitude [deg N]")
    if chaser is not None:
        lat, lon, _ = _geodetic(chaser.epoch, chaser.t_s, chaser.r_m)
        ax.plot(*_split_wrap(lon, lat), color="C0", lw=1.0, label=f"{chaser.name} orbit (chaser ephemeris)")
    if ascent is not None:
        tr = ascent.trajectory
        ax.plot(np.degrees(tr.lon_rad), np.degrees(tr.lat_rad), color="C3", lw=2.0, label="ascent")
    if landing is not None:
        tr = landing.flight.entry.trajectory
        ax.plot(*_split_wrap(tr.lon_deg, tr.lat_deg), color="C2", lw=2.0, label="descent (module separation to landing)")
    pts = dict(GROUND_SITES if sites is None else sites)
    if landing is not None:
        z = landing.zone
        pts[f"landing zone ({z.name})"] = (z.lat_deg, z.lon_deg)
        e = landing.flight.entry
        pts["landing point"] = (e.landing_lat_deg, e.landing_lon_deg)
    for k, (name, (la, lo)) in enumerate(pts.items()):
        ax.plot(lo, la, marker="^*os"[k % 4], ms=7, ls="none", label=f"{name} ({la:.2f} N, {lo:.2f} E)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=7, frameon=False)
    ax.set_title("Ground track (no coastlines: sites marked)")
    return fig


def altitude_phase_figure(chaser, station, rendezvous=None):
    """Chaser and station geodetic altitude [km] and the phase angle [deg] (station ahead of
    the chaser) against hours since insertion; rendezvous burns marked. None without both
    ephemerides."""
    if chaser is None or station is None:
        return None
    from ..rendezvous.schemes import phase_angle_rad
    from ..time import add_seconds

    t_ch = chaser.t_s
    _, _, alt_c = _geodetic(chaser.epoch, t_ch, chaser.r_m)
    t_abs = add_seconds(chaser.epoch, t_ch)
    s_r, s_v = station.interpolate(station.seconds_from_epoch(t_abs))
    _, _, alt_s = _geodetic(chaser.epoch, t_ch, s_r)
    phase = np.array([math.degrees(phase_angle_rad(s_r[i], s_v[i], chaser.r_m[i])) for i in range(len(t_ch))])
    h = (t_ch - t_ch[0]) / 3600.0
    fig = _figure(8.0, 5.0)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(h, alt_c / 1e3, label=f"{chaser.name}")
    ax1.plot(h, alt_s / 1e3, label=f"{station.name}")
    ax1.set_ylabel("geodetic altitude [km]")
    ax2.plot(h, phase, color="C4")
    ax2.set_ylabel("phase angle, station ahead [deg]")
    ax2.set_xlabel("time since insertion [h]")
    if rendezvous is not None:
        from ..time import parse_utc

        t0 = add_seconds(chaser.epoch, float(t_ch[0]))
        for b in rendezvous.burns:
            x = _hours_since(t0, parse_utc(b.utc))
            for ax in (ax1, ax2):
                ax.axvline(x, color="0.6", lw=0.8, ls="--", zorder=0)
            ax2.annotate(f"{b.name} {b.dv_mps:.1f} m/s", (x, ax2.get_ylim()[1]), rotation=90, fontsize=7,
                         va="top", ha="right", color="0.3")
    ax1.legend(fontsize=8)
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    ax1.set_title("Altitude and phase angle over the chaser ephemeris")
    return fig


def lvlh_figure(approach, rendezvous=None):
    """The approach in the station's LVLH frame: V-bar x [m] against R-bar z [m] (plotted with
    the Earth down, i.e. -z up), true and Kurs-filter estimated; the far rendezvous arc in an
    inset panel when given."""
    if approach is None and (rendezvous is None or rendezvous.relative_trajectory is None):
        return None
    have_rdv = rendezvous is not None and rendezvous.relative_trajectory is not None
    fig = _figure(9.0, 4.6)
    axes = fig.subplots(1, 2 if (have_rdv and approach is not None) else 1, squeeze=False)[0]
    k = 0
    if have_rdv:
        ax = axes[k]
        k += 1
        rt = rendezvous.relative_trajectory
        ax.plot(rt.rho_lvlh_m[:, 0] / 1e3, -rt.rho_lvlh_m[:, 2] / 1e3, color="C0", marker=".", ms=2, lw=0.8)
        ax.plot([0], [0], marker="*", color="k", ms=10, ls="none", label="station")
        ax.set_xlabel("V-bar x (along-track) [km]")
        ax.set_ylabel("-R-bar (-z, radial up) [km]")
        ax.set_title("Rendezvous, insertion to aim point")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if approach is not None:
        ax = axes[k]
        a = approach
        ax.plot(a.rho_lvlh_m[:, 0], -a.rho_lvlh_m[:, 2], color="C3", lw=1.2, label="true")
        ax.plot(a.est_rho_lvlh_m[:, 0], -a.est_rho_lvlh_m[:, 2], color="C1", lw=0.8, ls="--", label="filter estimate")
        ax.plot([0], [0], marker="*", color="k", ms=10, ls="none", label="station (LVLH origin)")
        ax.plot(a.rho_lvlh_m[0, 0], -a.rho_lvlh_m[0, 2], marker="o", color="C3", ls="none", label="start")
        ax.set_xlabel("V-bar x (along-track) [m]")
        ax.set_ylabel("-R-bar (-z, radial up) [m]")
        ax.set_title(f"Proximity approach ({a.verdict})")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def range_figure(approach):
    """Range [m, log scale] and range-rate [m/s] of the approach against seconds since its
    start, true and estimated, with the approach phases shaded."""
    if approach is None:
        return None
    a = approach
    rng = np.linalg.norm(a.rho_lvlh_m, axis=1)
    rdot = np.einsum("ij,ij->i", a.rho_lvlh_m, a.rho_dot_lvlh_mps) / np.maximum(rng, 1e-9)
    erng = np.linalg.norm(a.est_rho_lvlh_m, axis=1)
    erdot = np.einsum("ij,ij->i", a.est_rho_lvlh_m, a.est_rho_dot_lvlh_mps) / np.maximum(erng, 1e-9)
    fig = _figure(8.0, 5.0)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.semilogy(a.t_s, rng, color="C3", label="true")
    ax1.semilogy(a.t_s, erng, color="C1", ls="--", lw=0.8, label="estimated")
    ax1.set_ylabel("range [m]")
    ax2.plot(a.t_s, rdot, color="C3", label="true")
    ax2.plot(a.t_s, erdot, color="C1", ls="--", lw=0.8, label="estimated")
    ax2.set_ylabel("range-rate [m/s]")
    ax2.set_xlabel(f"time since {a.start_utc} [s]")
    for i, p in enumerate(a.phases):
        for ax in (ax1, ax2):
            ax.axvspan(p.start_s, p.end_s, color=f"C{i % 10}", alpha=0.08, lw=0)
        ax1.annotate(p.name, (0.5 * (p.start_s + p.end_s), ax1.get_ylim()[1]), fontsize=7, va="top", ha="center")
    ax1.legend(fontsize=8, loc="lower left")
    ax1.grid(alpha=0.3, which="both")
    ax2.grid(alpha=0.3)
    ax1.set_title("Range and range-rate to the station (LVLH origin)")
    return fig


def occupancy_rows(manifest, start_utc: str | None = None, stop_utc: str | None = None):
    """Port occupancy intervals of a :class:`~gyrfalcon.traffic.manifest.Manifest`:
    a list of ``(port, vehicle, start_utc, end_utc)`` clipped to ``[start_utc, stop_utc]``
    (default: the manifest's first and last event)."""
    from ..time import iso_utc, parse_utc

    times = [e.t_utc for e in manifest.events]
    if not times:
        return []
    start = iso_utc(parse_utc(start_utc or times[0]))   # the manifest's own string form
    stop = iso_utc(parse_utc(stop_utc or times[-1]))
    rows = []
    open_: dict = {}
    prev = {}
    for t, st in zip(times, manifest.states):
        for port, veh in st.ports.items():
            if prev.get(port) != veh:
                if prev.get(port) is not None:
                    rows.append((port, prev[port], open_[port], t))
                if veh is not None:
                    open_[port] = t
            prev[port] = veh
    for port, veh in prev.items():
        if veh is not None:
            rows.append((port, veh, open_[port], stop))
    out = []
    for port, veh, a, b in rows:
        a2, b2 = max(a, start), min(b, stop)
        if a2 < b2:
            out.append((port, veh, a2, b2))
    return out


def occupancy_figure(manifest=None, occupancy=None, start_utc: str | None = None, stop_utc: str | None = None):
    """Port occupancy Gantt chart: one row per docking port, one bar per vehicle stay, date
    axis in UTC; the mission's docking instant marked when ``occupancy`` is given. None
    without a manifest."""
    if manifest is None:
        return None
    import matplotlib.dates as mdates

    from ..time import parse_utc

    rows = occupancy_rows(manifest, start_utc, stop_utc)
    ports = list(manifest.station.port_ids)
    fig = _figure(9.0, 0.45 * len(ports) + 1.6)
    ax = fig.subplots()

    def num(t):
        return mdates.date2num(parse_utc(t).utc_datetime())

    vehicles = sorted({r[1] for r in rows})
    colours = {v: f"C{i % 10}" for i, v in enumerate(vehicles)}
    for port, veh, a, b in rows:
        y = ports.index(port) if port in ports else len(ports)
        x0, x1 = num(a), num(b)
        ax.barh(y, x1 - x0, left=x0, height=0.6, color=colours[veh], alpha=0.8)
        ax.text(x0 + 0.5 * (x1 - x0), y, veh, ha="center", va="center", fontsize=7, clip_on=True)
    if occupancy is not None:
        ax.axvline(num(occupancy.t_utc), color="k", ls="--", lw=1.0, label=f"this mission's docking ({occupancy.t_utc[:16]}Z)")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_yticks(range(len(ports)))
    ax.set_yticklabels(ports, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    for lab in ax.get_xticklabels():
        lab.set_rotation(30)
        lab.set_ha("right")
    ax.set_xlabel("date [UTC]")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Docking port occupancy")
    return fig


def entry_figure(landing):
    """Sensed g-load [g] and geodetic altitude [km] of the descent against seconds after
    module separation, with the entry events marked."""
    if landing is None:
        return None
    e = landing.flight.entry
    tr = e.trajectory
    fig = _figure(8.0, 4.2)
    ax = fig.subplots()
    ax.plot(tr.t_s, tr.g_load, color="C3", label="sensed load")
    ax.set_ylabel("sensed load [g]")
    ax.set_xlabel(f"time after module separation ({e.start_utc}) [s]")
    ax2 = ax.twinx()
    ax2.plot(tr.t_s, tr.altitude_m / 1e3, color="C0", lw=0.8, label="altitude")
    ax2.set_ylabel("geodetic altitude [km]")
    for ev in e.events:
        ax.axvline(ev.t_s, color="0.7", lw=0.7, zorder=0)
        ax.annotate(ev.name, (ev.t_s, ax.get_ylim()[1]), rotation=90, fontsize=7, va="top", ha="right", color="0.35")
    ax.annotate(f"max {e.max_g:.2f} g", (float(tr.t_s[int(np.argmax(tr.g_load))]), e.max_g), fontsize=8,
                xytext=(8, -4), textcoords="offset points")
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(f"{landing.vehicle} descent ({landing.mode}) to {landing.zone.name}")
    return fig


# --------------------------------------------------------------------------------------
def gantt_window(result, before_days: float = 14.0, after_days: float = 7.0):
    """``(start_utc, stop_utc)`` of the Gantt chart: ``before_days`` before launch (or contact)
    to ``after_days`` after the landing (or contact); ``(None, None)`` without any of them."""
    from ..time import add_seconds, iso_utc, parse_utc

    r = result
    first = r.launch_utc or r.contact_utc or r.landing_utc
    last = r.landing_utc or r.contact_utc or r.launch_utc
    if first is None:
        return None, None
    a = iso_utc(add_seconds(parse_utc(first), -before_days * 86400.0))
    b = iso_utc(add_seconds(parse_utc(last), after_days * 86400.0))
    return a, b


def _guard(fn, *args, **kw):
    """Call a figure function; a missing attribute in a partial result gives (None, note)."""
    try:
        return fn(*args, **kw), ""
    except (AttributeError, TypeError, ValueError, IndexError) as exc:
        return None, f"could not draw: {type(exc).__name__}: {exc}"


def mission_figures(result, manifest=None) -> list[Plot]:
    """Every report figure of ``result`` (a MissionResult), in report order.

    ``manifest``: the :class:`~gyrfalcon.traffic.manifest.Manifest` the docking was booked in
    (default ``result.manifest`` if the result carries one); without it the Gantt chart is
    replaced by a note.
    """
    r = result
    manifest = manifest if manifest is not None else getattr(r, "manifest", None)
    window = gantt_window(r)
    specs = [
        ("ascent", "Ascent profile",
         "Geodetic altitude [km], inertial and Earth-relative speed [km/s] (top); dynamic pressure [kPa] "
         "and sensed acceleration [g] (bottom) against mission elapsed time [s]. Grey lines: ascent events.",
         ascent_figure, (r.ascent,), {}, "no ascent in this result"),
        ("ground-track", "Ground track",
         "Sub-satellite points [deg] on an equirectangular longitude/latitude grid (no coastlines); "
         "ascent (red), chaser orbits from insertion to contact (blue), descent (green); ground sites marked.",
         ground_track_figure, (), {"ascent": r.ascent, "chaser": r.chaser, "landing": r.landing},
         "no ascent, chaser ephemeris or landing in this result"),
        ("altitude-phase", "Altitude and phase angle",
         "Geodetic altitude [km] of chaser and station (top) and phase angle [deg] of the station ahead of "
         "the chaser (bottom) against hours since insertion; dashed lines: rendezvous burns with their delta-v [m/s].",
         altitude_phase_figure, (r.chaser, r.station, r.rendezvous), {},
         "needs both the chaser and the station ephemeris"),
        ("lvlh", "LVLH approach trajectory",
         "Chaser position in the station's LVLH frame: along-track V-bar x against -R-bar (radial up); "
         "left the rendezvous arc [km], right the proximity approach [m], true (solid) and Kurs-filter estimate (dashed).",
         lvlh_figure, (r.approach, r.rendezvous), {}, "no approach or rendezvous trajectory in this result"),
        ("range", "Range and range-rate",
         "Range [m, log scale] and range-rate [m/s] of the chaser to the station in the proximity approach, "
         "against seconds since the approach start; shaded bands: approach phases.",
         range_figure, (r.approach,), {}, "no proximity approach in this result"),
        ("occupancy", "Port occupancy",
         "Gantt chart of the station's docking ports [UTC date]: one bar per vehicle stay, from the traffic manifest; "
         "dashed line: this mission's docking.",
         occupancy_figure, (manifest, r.occupancy, *window), {},
         "no traffic manifest given (pass manifest= or a result with .manifest)"),
        ("entry", "Entry g-load",
         "Sensed load [g] (red) and geodetic altitude [km] (blue) of the descent module against seconds after "
         "module separation; grey lines: entry events (entry interface, peak load, parachutes, landing).",
         entry_figure, (r.landing,), {}, "no landing in this result"),
    ]
    out = []
    for key, title, caption, fn, args, kw, missing in specs:
        fig, note = _guard(fn, *args, **kw)
        out.append(Plot(key, title, caption, fig, note or ("" if fig is not None else missing)))
    return out
