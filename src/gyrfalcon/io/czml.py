"""``flight.czml``: the flight for CesiumJS, written with czml3's models (validated as built).

Packets:

* ``document``: name, CZML version 1.0 and a clock spanning the flight, from liftoff (or the
  first chaser sample) to contact (or the last sample), ISO UTC, looping at 60x;
* ``chaser``: the spacecraft as time-tagged position samples, ``referenceFrame`` ``FIXED``
  (ITRF, converted by :func:`gyrfalcon.frames.gcrf_to_itrf`): the ascent samples, then the
  chaser ephemeris (insertion to its end), then the proximity approach (the station's state
  plus the approach's LVLH offset) when the station ephemeris covers it; Lagrange
  interpolation of degree 5; a path with a one-orbit trail, a label and a point; its
  ``description`` is the timeline as an HTML table;
* ``station``: the station ephemeris the same way (path, trail, label, point);
* ``descent``: the landing (module separation to touchdown) as WGS-84 cartographic samples,
  available over its own interval (the return is a separate flight, days later);
* ``site/...``: the launch pad, the landing zone and the landing point as fixed labelled points;
* ``event/...``: one packet per timeline event inside the chaser's or the descent's span, a
  label at the vehicle's position, available from the event for ``event_label_s`` seconds or
  until the next placed event, whichever comes first (one event label at a time).

Labels are laid out so that neighbours do not print over each other (:data:`LABEL_LAYOUT`):
the chaser's label sits up-left of its point, the station's up-right (they meet at the
approach), events below-right of the vehicle, the launch pad's below-left of the pad, the
landing point's right of it. The viewer adds distance conditions (the landing labels show only
near the landing site; czml3 cannot read a ``distanceDisplayCondition`` back, so the file
carries none) and hides what still overlaps.

Why FIXED and not INERTIAL: Cesium evaluates INERTIAL (ICRF) positions only after it has
fetched its ICRF-to-fixed data (``Transforms.preloadIcrfFixed``), which an offline viewer
cannot do; ITRF samples display everywhere. Sample times are TT seconds after the packet
epoch (an ISO UTC instant); Cesium adds them as TAI seconds, the same as TT seconds.

Assumptions: GCRF is taken as ICRF (they differ by less than a milliarcsecond); event
positions are linearly interpolated between samples (labels only).

>>> import tempfile, pathlib, json
>>> from gyrfalcon.mission.result import MissionResult
>>> p = write_czml(MissionResult(None, 0, "2025-11-27T09:27:57.4Z", None, "2025-11-27T12:34:35Z", None, None),
...                pathlib.Path(tempfile.mkdtemp()) / "flight.czml")
>>> doc = json.loads(p.read_text())
>>> doc[0]["id"], doc[0]["clock"]["interval"]
('document', '2025-11-27T09:27:57.400Z/2025-11-27T12:34:35.000Z')
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from ..errors import InputError

#: CZML colours (RGBA 0-255).
COLOURS = {"chaser": [255, 80, 40, 255], "station": [60, 160, 255, 255], "descent": [60, 200, 90, 255],
           "site": [255, 220, 0, 255], "event": [255, 255, 255, 255]}


#: An event this many seconds past the end of a track is still placed (at the track's end).
EVENT_SLACK_S = 10.0
#: Event times carry 0.1 s: one this much before a track's start is placed at the start.
EVENT_LEAD_S = 0.1

#: Label placement by packet kind: (pixel offset x right, y down [px], horizontal origin,
#: vertical origin). The origin is the side of the label that sits at the offset point.
LABEL_LAYOUT = {
    "chaser": ((-10.0, -8.0), "RIGHT", "BOTTOM"),
    "station": ((10.0, -8.0), "LEFT", "BOTTOM"),
    "descent": ((10.0, -8.0), "LEFT", "BOTTOM"),
    "event": ((10.0, 8.0), "LEFT", "TOP"),
    "site/launch-pad": ((-10.0, 8.0), "RIGHT", "TOP"),
    "site/landing-point": ((10.0, 0.0), "LEFT", "CENTER"),
    "site/landing-zone": ((10.0, 12.0), "LEFT", "TOP"),
}


def _label(kind, text, font, colour, *, outline=False):
    """A czml3 Label placed as :data:`LABEL_LAYOUT` says for ``kind``."""
    from czml3.enums import HorizontalOrigins, LabelStyles, VerticalOrigins
    from czml3.properties import Color, Label
    from czml3.types import Cartesian2Value

    (dx, dy), h, v = LABEL_LAYOUT[kind]
    kw = dict(text=text, font=font, fillColor=Color(rgba=colour), pixelOffset=Cartesian2Value(values=[dx, dy]),
              horizontalOrigin=getattr(HorizontalOrigins, h), verticalOrigin=getattr(VerticalOrigins, v))
    if outline:
        kw.update(style=LabelStyles.FILL_AND_OUTLINE, outlineWidth=2.0)
    return Label(**kw)


def _time(t):
    from ..time import parse_utc

    return parse_utc(t)


def _iso(t) -> str:
    from ..time import iso_utc

    return iso_utc(t, places=3)


def _itrf_samples(t0, t_s, r_gcrf_m):
    """ITRF positions [m] of GCRF positions at TT seconds ``t_s`` after ``t0``."""
    from ..frames import gcrf_to_itrf
    from ..time import add_seconds

    t_s = np.asarray(t_s, float)
    return gcrf_to_itrf(add_seconds(t0, t_s), np.asarray(r_gcrf_m, float).reshape(-1, 3))


def _chaser_track(result, t0):
    """(t_s after t0, ITRF r) of the chaser: ascent + ephemeris + approach, strictly increasing."""
    from ..time import add_seconds, seconds_between

    parts_t, parts_r = [], []
    if result.ascent is not None:
        tr = result.ascent.trajectory
        lift = result.ascent.liftoff
        off = float(seconds_between(t0, lift))
        t = np.asarray(tr.met_s, float) + off
        parts_t.append(t)
        parts_r.append(_itrf_samples(t0, t, tr.r_gcrf_m))
    ch = result.chaser
    if ch is not None:
        gcrf = ch if ch.frame == "GCRF" else None
        if gcrf is None:
            raise InputError(f"the chaser ephemeris is in {ch.frame}; give it in GCRF (Ephemeris in MissionResult)")
        t = np.asarray(ch.t_s, float) + float(seconds_between(t0, ch.epoch))
        parts_t.append(t)
        parts_r.append(_itrf_samples(t0, t, ch.r_m))
    a, st = result.approach, result.station
    if a is not None and st is not None:
        from ..frames import chaser_from_relative

        start = _time(a.start_utc)
        t_abs = np.asarray(a.t_s, float) + float(seconds_between(t0, start))
        step = max(1, int(round(10.0 / max(float(np.median(np.diff(a.t_s))) if len(a.t_s) > 1 else 1.0, 1e-3))))
        idx = list(range(0, len(a.t_s), step))
        if idx and idx[-1] != len(a.t_s) - 1:
            idx.append(len(a.t_s) - 1)
        keep_t, keep_r = [], []
        for i in idx:
            t = add_seconds(t0, float(t_abs[i]))
            if not st.covers(t):
                continue
            c = chaser_from_relative(st.at(t), a.rho_lvlh_m[i], a.rho_dot_lvlh_mps[i])
            keep_t.append(t_abs[i])
            keep_r.append(c.r_m)
        if keep_t:
            parts_t.append(np.array(keep_t))
            parts_r.append(_itrf_samples(t0, np.array(keep_t), np.array(keep_r)))
    if not parts_t:
        return np.zeros(0), np.zeros((0, 3))
    t = np.concatenate(parts_t)
    r = np.concatenate(parts_r)
    # keep the first sample of each instant and drop any that go back in time (overlaps)
    keep = [0]
    for i in range(1, len(t)):
        if t[i] > t[keep[-1]] + 1e-6:
            keep.append(i)
    return t[keep], r[keep]


def _flatten(t, xyz) -> list:
    out = np.empty((len(t), 4))
    out[:, 0] = t
    out[:, 1:] = xyz
    return [float(x) for x in out.reshape(-1)]


def _moving_packet(pid, name, epoch_iso, t, xyz, colour, trail_s, *, fixed=True, description=None):
    from czml3 import Packet
    from czml3.enums import InterpolationAlgorithms
    from czml3.properties import Color, Path, Point, PolylineMaterial, Position, SolidColorMaterial
    from czml3.types import TimeInterval

    from ..time import add_seconds

    e = _time(epoch_iso)
    avail = TimeInterval(start=_iso(add_seconds(e, float(t[0]))), end=_iso(add_seconds(e, float(t[-1]))))
    pos = dict(epoch=epoch_iso, interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE, interpolationDegree=5)
    if fixed:
        pos.update(referenceFrame="FIXED", cartesian=_flatten(t, xyz))
    else:
        pos.update(cartographicDegrees=_flatten(t, xyz))
    return Packet(
        id=pid, name=name, availability=avail, description=description,
        position=Position(**pos),
        path=Path(show=True, leadTime=0.0, trailTime=float(trail_s), width=2.0, resolution=60.0,
                  material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=colour)))),
        label=_label(pid, name, "12pt sans-serif", colour, outline=True),
        point=Point(pixelSize=8.0, color=Color(rgba=colour), outlineColor=Color(rgba=[0, 0, 0, 255]),
                    outlineWidth=1.0),
    )


def _events_html(events) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(e.utc)}</td><td>{e.met_s:.1f}</td><td>{html.escape(e.phase)}</td>"
        f"<td>{html.escape(e.name)}</td><td>{html.escape(e.notes)}</td></tr>" for e in events)
    return ("<table><tr><th>UTC</th><th>MET [s]</th><th>phase</th><th>event</th><th>notes</th></tr>"
            + rows + "</table>")


def _static_packet(pid, name, lat_deg, lon_deg, alt_m, colour, *, label=None):
    from czml3 import Packet
    from czml3.properties import Color, Point, Position

    return Packet(id=pid, name=name,
                  position=Position(cartographicDegrees=[float(lon_deg), float(lat_deg), float(alt_m)]),
                  point=Point(pixelSize=10.0, color=Color(rgba=colour)),
                  label=_label(pid, label or name, "11pt sans-serif", colour, outline=True))


def build_czml(result, *, event_label_s: float = 600.0):
    """The :class:`czml3.Document` of ``result`` (see the module docstring): the clock, the chaser,
    the station, the descent and the sites (:func:`_track_packets`), the timeline's events at the
    vehicle's position (:func:`_event_packets`)."""
    from czml3 import Document

    r = result
    for attr in ("events", "ascent", "approach", "landing", "chaser", "station", "launch_utc", "contact_utc"):
        if not hasattr(r, attr):
            raise InputError(f"write_czml needs a gyrfalcon.mission.result.MissionResult; {type(r).__name__} has no {attr!r}")
    t0 = _czml_start(r)
    t_ch, r_ch = _chaser_track(r, t0)
    packets = [_clock_packet(r, t0, t_ch)]
    track_packets, descent = _track_packets(r, t0, t_ch, r_ch)
    packets += track_packets
    packets += _event_packets(r, t0, t_ch, r_ch, descent, event_label_s)
    return Document(packets=packets)


def _czml_start(r):
    """The document's epoch: liftoff (from the ascent, else the launch time, else the chaser's start),
    rounded to the millisecond the file writes, so that every sample time counted from it is exact
    (a liftoff at 09:28:01.322342712 written as .322 put every track 0.34 ms, 2.6 m, off)."""
    if r.ascent is not None:
        return _time(_iso(r.ascent.liftoff))
    if r.launch_utc is not None:
        return _time(_iso(_time(r.launch_utc)))
    if r.chaser is not None:
        return _time(_iso(r.chaser.start))
    raise InputError("nothing to show: the result has no launch time, ascent or chaser ephemeris; "
                     "fly at least the countdown and ascent")


def _clock_packet(r, t0, t_ch):
    """The document packet: its clock runs from liftoff to contact (or the chaser's last sample)."""
    from czml3 import Packet
    from czml3.enums import ClockRanges, ClockSteps
    from czml3.properties import Clock
    from czml3.types import TimeInterval

    from ..time import add_seconds, seconds_between

    epoch = _iso(t0)
    if r.contact_utc is not None:
        stop = _time(r.contact_utc)
    elif len(t_ch):
        stop = add_seconds(t0, float(t_ch[-1]))
    else:
        stop = add_seconds(t0, 600.0)
    if float(seconds_between(t0, stop)) <= 0:
        raise InputError(f"the contact {r.contact_utc} is not after the launch {epoch}; check the result's times")
    return Packet(id="document", name="Gyrfalcon flight", version="1.0",
                  clock=Clock(interval=TimeInterval(start=epoch, end=_iso(stop)), currentTime=epoch,
                              multiplier=60.0, range=ClockRanges.LOOP_STOP,
                              step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER))


def _track_packets(r, t0, t_ch, r_ch) -> tuple:
    """(packets of the chaser, the station, the descent module, the landing zone and point and the
    pad; the descent's (epoch, times, lon/lat/height) or None)."""
    from ..time import seconds_between

    epoch = _iso(t0)
    name = "spacecraft"
    vname = getattr(getattr(getattr(r, "scenario", None), "vehicle", None), "name", None)
    if vname:
        name = vname                     # the flight's name (Soyuz MS-28), not the ephemeris's ("chaser")
    elif r.chaser is not None and r.chaser.name not in ("object", "chaser"):
        name = r.chaser.name
    packets = []
    desc = _events_html(r.events) if r.events else None
    if len(t_ch) >= 2:
        packets.append(_moving_packet("chaser", name, epoch, t_ch, r_ch, COLOURS["chaser"], 5600.0,
                                      description=desc))
    st = r.station
    if st is not None:
        t_st = np.asarray(st.t_s, float) + float(seconds_between(t0, st.epoch))
        sname = st.name if st.name != "object" else "station"
        packets.append(_moving_packet("station", sname, epoch, t_st, _itrf_samples(t0, t_st, st.r_m),
                                      COLOURS["station"], 5600.0))
    descent = None
    if r.landing is not None:
        e = r.landing.flight.entry
        tr = e.trajectory
        d_epoch = _iso(_time(e.start_utc))
        llh = np.column_stack([tr.lon_deg, tr.lat_deg, tr.altitude_m])
        t_d = np.asarray(tr.t_s, float)
        keep = np.concatenate([[True], np.diff(t_d) > 1e-6])
        descent = (d_epoch, t_d[keep], llh[keep])
        packets.append(_moving_packet("descent", f"{r.landing.vehicle} descent module", d_epoch, t_d[keep],
                                      llh[keep], COLOURS["descent"], 3600.0, fixed=False))
        z = r.landing.zone
        packets.append(_static_packet("site/landing-zone", z.name, z.lat_deg, z.lon_deg, z.ground_altitude_m,
                                      COLOURS["site"], label="landing zone"))
        packets.append(_static_packet("site/landing-point", "landing point", e.landing_lat_deg, e.landing_lon_deg,
                                      e.landing_altitude_m, COLOURS["descent"]))
    if r.ascent is not None:
        a = r.ascent
        packets.append(_static_packet("site/launch-pad", "launch pad", np.degrees(a.pad_lat_rad),
                                      np.degrees(a.pad_lon_rad), a.pad_alt_m, COLOURS["site"]))
    return packets, descent


def _event_position(s, te, t_ch, r_ch, descent):
    """Where an event at ``s`` seconds from liftoff (Time ``te``) is shown: on the chaser's track,
    else on the descent's, else None."""
    from ..frames import itrf_from_geodetic
    from ..time import seconds_between

    if len(t_ch) >= 2 and t_ch[0] - EVENT_LEAD_S <= s <= t_ch[-1] + EVENT_SLACK_S:
        return [float(np.interp(s, t_ch, r_ch[:, j])) for j in range(3)]
    if descent is not None:
        d_epoch, t_d, llh = descent
        sd = float(seconds_between(_time(d_epoch), te))
        if t_d[0] - EVENT_LEAD_S <= sd <= t_d[-1] + EVENT_SLACK_S:
            lon, lat, h = (float(np.interp(sd, t_d, llh[:, j])) for j in range(3))
            return [float(x) for x in itrf_from_geodetic(np.radians(lat), np.radians(lon), h)]
    return None


def _event_packets(r, t0, t_ch, r_ch, descent, event_label_s) -> list:
    """The timeline's events as labelled packets at the vehicle's position, in time order; each
    label shows from its event (not before the chaser's first sample) until the next one starts."""
    from czml3 import Packet
    from czml3.properties import Position
    from czml3.types import TimeInterval

    from ..time import add_seconds, seconds_between

    placed = []
    for k, ev in enumerate(r.events):
        te = _time(ev.utc)
        s = float(seconds_between(t0, te))
        where = _event_position(s, te, t_ch, r_ch, descent)
        if where is not None:
            placed.append((k, ev, te, s, where))
    placed.sort(key=lambda p: p[3])       # in time order (stable: same-instant events keep their order)
    first_s = float(t_ch[0]) if len(t_ch) else -np.inf
    starts = [max(s, first_s) for (_, _, _, s, _) in placed]
    packets = []
    for n, (k, ev, te, s, where) in enumerate(placed):
        end_s = starts[n] + float(event_label_s)
        if n + 1 < len(placed):
            end_s = min(end_s, max(starts[n + 1], starts[n] + 0.002))
        packets.append(Packet(
            id=f"event/{k:03d}-{ev.name}", name=ev.name,
            description=f"{html.escape(ev.utc)} (MET {ev.met_s:.1f} s, {html.escape(ev.phase)}) {html.escape(ev.notes)}",
            availability=TimeInterval(start=_iso(add_seconds(t0, starts[n])), end=_iso(add_seconds(t0, end_s))),
            position=Position(referenceFrame="FIXED", cartesian=where),
            label=_label("event", ev.name, "10pt sans-serif", COLOURS["event"], outline=True),
        ))
    return packets


def write_czml(result, path, *, event_label_s: float = 600.0) -> Path:
    """Write the CZML document of ``result`` (a MissionResult) to ``path``; returns the path.

    ``event_label_s``: how long each timeline event's label stays visible [s]. The parent
    directory must exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"cannot write the CZML to {path}: directory {path.parent} does not exist; create it first")
    doc = build_czml(result, event_label_s=event_label_s)
    path.write_text(doc.dumps(), encoding="utf-8")
    return path
