"""``report.html``: one self-contained HTML page of a flown mission.

The page carries an at-a-glance summary (liftoff, docking port and contact, landing), the
headline table (launch, insertion, contact and docking port, landing, delta-v, approach and
landing figures), for a real flight (scenario ``[real]``) a "model vs real" table of liftoff,
contact and landing with their sources, the consequences of a pad damaged by the launch (the
traffic what-if's slipped launches and moved events), the mission timeline (MET as days +
h:mm:ss) and the figures of :mod:`gyrfalcon.mission.plots`, each as
a PNG inlined as a base64 ``data:`` URI with a caption that gives the units. Nothing is
loaded from elsewhere: no external CSS, JavaScript, fonts or images (a Content-Security-Policy
``<meta>`` forbids them, so a browser reports any slip as an error). A phase that was not
flown (``None`` in the :class:`~gyrfalcon.mission.result.MissionResult`) leaves its figure
out with a note saying so.

Matplotlib draws on the Agg canvas through its object-oriented API (no pyplot, no global
backend switch, no display needed).

>>> import tempfile, pathlib
>>> from gyrfalcon.mission.result import MissionResult
>>> empty = MissionResult(None, 0, None, None, None, None, None)
>>> p = write_report(empty, pathlib.Path(tempfile.mkdtemp()) / "report.html")
>>> "no ascent in this result" in p.read_text()
True
"""
from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

from ..errors import InputError

#: The page's Content-Security-Policy: inline styles and data: images only.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
body{font-family:sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em 0;font-size:0.9em}
th,td{border:1px solid #bbb;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#eef}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0;border-top:1px solid #ddd;padding-top:0.5em}
figure img{max-width:100%;height:auto}
figcaption{font-size:0.9em;color:#444}
p.note{color:#a40;font-style:italic}
p.glance{font-size:1.1em;background:#f4f7fb;border-left:4px solid #36c;padding:0.5em 0.8em}
td.nw{white-space:nowrap}
"""


def _fig_to_data_uri(fig, dpi: int = 100) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(v, spec: str = "") -> str:
    if v is None:
        return "&mdash;"
    try:
        return html.escape(format(v, spec))
    except (TypeError, ValueError):
        return html.escape(str(v))


def _met(s) -> str:
    """Mission elapsed time to the tenth of a second (:func:`gyrfalcon.time.format_met`); "" for None.

    >>> _met(529.04), _met(-3600), _met(20825808.0)
    ('0:08:49.0', '-1:00:00.0', '241d 00:56:48.0')
    """
    if s is None:
        return ""
    from ..time import format_met

    return format_met(s, 1)


def _utc(t) -> str | None:
    """ISO UTC text of a time given as text or a Time (None stays None)."""
    if t is None:
        return None
    if isinstance(t, str):
        return t
    from ..time import iso_utc

    return iso_utc(t, 1)


def _span(seconds: float) -> str:
    """A duration as words: ``3 h 09 min``, ``240 d 21 h``, ``2 min 41 s``."""
    x = abs(float(seconds))
    if x >= 2 * 86400:
        return f"{int(x // 86400)} d {int(x % 86400 // 3600)} h"
    if x >= 3600:
        return f"{int(x // 3600)} h {int(x % 3600 // 60):02d} min"
    if x >= 60:
        return f"{int(x // 60)} min {int(round(x % 60)):02d} s"
    return f"{x:.1f} s"


def docking_port(result) -> tuple[str, str] | None:
    """``(port id, port name)`` the flight docked at (scenario's docking port, else the port
    the occupancy shows the chaser at); None without a docking."""
    if result.contact_utc is None:
        return None
    pid = None
    sc = result.scenario
    if sc is not None and getattr(sc, "docking", None) is not None:
        pid = sc.docking.port
    if pid is None and result.occupancy is not None and result.chaser is not None:
        pid = next((p for p, v in result.occupancy.ports.items() if v == result.chaser.name), None)
    if pid is None and result.approach is not None:
        pid = getattr(getattr(result.approach, "config", None), "port_id", None)
    if pid is None:
        return None
    try:
        from ..station.catalog import load_station

        return pid, load_station("iss").port(pid).name
    except Exception:   # noqa: BLE001 - an unknown port id: show the id
        return pid, pid


def headline_rows(result) -> list[tuple[str, str]]:
    """(label, value) rows of the headline table; values are formatted strings with units."""
    r = result
    port = docking_port(r)
    rows = [("What-if", "yes: flown although it breaks station rules (see the notes)")] \
        if getattr(r, "what_if", False) else []
    rows += [
        ("Launch (UTC)", _fmt(_utc(r.launch_utc))),
        ("Insertion (UTC)", _fmt(_utc(r.insertion_utc))),
        ("Contact (UTC)", _fmt(_utc(r.contact_utc))),
        ("Docking port", _fmt(f"{port[1]} ({port[0]})" if port else None)),
        ("Landing (UTC)", _fmt(_utc(r.landing_utc))),
        ("Rendezvous delta-v [m/s]", _fmt(r.total_dv_mps, ".2f")),
        ("Random seed", _fmt(r.seed)),
    ]
    if r.ascent is not None:
        el = r.ascent.elements
        rows.append(("Insertion orbit [km x km, deg]",
                     f"{el.perigee_altitude_m / 1e3:.1f} x {el.apogee_altitude_m / 1e3:.1f}, "
                     f"i = {math.degrees(el.i_rad):.3f}"))
        rows.append(("Spacecraft separation MET [s]", _fmt(r.ascent.insertion_met_s, ".1f")))
    if r.rendezvous is not None:
        p = r.rendezvous
        rows.append(("Rendezvous scheme", html.escape(f"{p.scheme} (station {p.catch_up_deg:.2f} deg ahead at insertion)")))
        rows.append(("Rendezvous burns", _fmt(len(p.burns))))
    if r.approach is not None:
        a = r.approach
        rows.append(("Approach verdict", _fmt(a.verdict)))
        rows.append(("Approach propellant [kg]", _fmt(a.propellant_kg, ".1f")))
        if a.contact is not None:
            c = a.contact
            rows.append(("Contact closing speed [m/s]", _fmt(c.closing_speed_mps, ".3f")))
            rows.append(("Contact lateral offset [m]", _fmt(c.lateral_offset_m, ".3f")))
    if r.occupancy is not None:
        o = r.occupancy
        rows.append(("Ports occupied after docking", _fmt(f"{o.occupied_count} of {len(o.ports)}")))
    if r.landing is not None:
        e = r.landing.flight.entry
        rows.append(("Peak entry load [g]", _fmt(e.max_g, ".2f")))
        if getattr(e, "max_g_parachute", None) is not None:
            rows.append(("Peak load at parachute opening (shock) [g]", _fmt(e.max_g_parachute, ".2f")))
        rows.append(("Landing point [deg N, deg E]", f"{e.landing_lat_deg:.3f}, {e.landing_lon_deg:.3f}"))
        if e.miss_m is not None:
            rows.append(("Miss from zone centre [km]", _fmt(e.miss_m / 1e3, ".1f")))
    return rows


def _vehicle(result) -> str:
    sc = result.scenario
    name = getattr(getattr(sc, "vehicle", None), "name", None) if sc is not None else None
    if not name and result.chaser is not None and result.chaser.name not in ("object", "chaser"):
        name = result.chaser.name
    return name or "the spacecraft"


def glance_html(result) -> str:
    """One paragraph that answers "when did it fly, where did it dock, when did it land"."""
    from ..time import parse_utc, seconds_between

    r = result
    v = html.escape(_vehicle(r))
    if r.launch_utc is None:
        why = next((str(n) for n in r.notes if "scrub" in str(n)), "no liftoff")
        return f'<p class="glance" id="glance">{v}: no flight ({html.escape(why)}).</p>'
    lo = _utc(r.launch_utc)
    parts = [f"{v} lifts off at {html.escape(lo[:19].replace('T', ' '))} UTC"]
    port = docking_port(r)
    if r.contact_utc is not None:
        c = _utc(r.contact_utc)
        dt = float(seconds_between(parse_utc(lo), parse_utc(c)))
        where = f" at <strong>{html.escape(port[1])}</strong>" if port else ""
        parts.append(f"docks{where} {_span(dt)} later ({html.escape(c[11:19])} UTC)")
    elif r.approach is not None:
        parts.append(f"does not dock (approach verdict: {html.escape(str(r.approach.verdict))})")
    if r.landing_utc is not None:
        land = _utc(r.landing_utc)
        stay = ""
        if r.contact_utc is not None:
            stay = f" after {float(seconds_between(parse_utc(_utc(r.contact_utc)), parse_utc(land))) / 86400:.1f} days"
        where = ""
        if r.landing is not None:
            e = r.landing.flight.entry
            where = f" at {e.landing_lat_deg:.2f} N {e.landing_lon_deg:.2f} E"
            if e.miss_m is not None:
                where += f", {e.miss_m / 1e3:.1f} km from the zone centre"
        parts.append(f"and lands{html.escape(stay)} on {html.escape(land[:16].replace('T', ' '))} UTC{html.escape(where)}")
    return '<p class="glance" id="glance">' + ", ".join(parts) + ".</p>"


def model_vs_real_rows(result) -> list[tuple[str, str, str, str, str]]:
    """Rows ``(event, model UTC, real UTC, model - real, source)`` for a scenario with a
    ``[real]`` table; empty otherwise. A real value given as a bare day is compared by day."""
    from ..time import parse_utc, seconds_between

    sc = result.scenario
    real = getattr(sc, "real", None) if sc is not None else None
    if real is None:
        return []
    rows = []
    for label, model, value, source in (("liftoff", result.launch_utc, real.liftoff, real.liftoff_source),
                                        ("contact (docking)", result.contact_utc, real.contact, real.contact_source),
                                        ("landing", result.landing_utc, real.landing, real.landing_source)):
        if value is None:
            continue
        m = _utc(model)
        if m is None:
            diff = "not reached in the model"
        elif len(value.strip()) == 10:          # a bare date: compare days
            days = round(float(seconds_between(parse_utc(value), parse_utc(m[:10]))) / 86400.0)
            diff = "same day" if days == 0 else f"{days:+d} day{'s' if abs(days) != 1 else ''}"
        else:
            d = float(seconds_between(parse_utc(value), parse_utc(m)))
            if abs(d) < 0.05:                    # the times are written to 0.1 s
                diff = "the same (to 0.1 s)"
            else:
                diff = ("+" if d >= 0 else "-") + _span(d) + (" later" if d > 0 else " earlier")
        rows.append((label, m or "&mdash;", value, diff, source))
    return rows


def pad_damage_html(result) -> str:
    """The pad damage of the launch and its consequences for the station's traffic (the what-if
    the runner computed: slipped launches, moved events, cargo gaps, stays at risk); "" without."""
    from ..time import iso_utc, parse_utc

    cd = result.countdown
    d = getattr(cd, "pad_damage", None) if cd is not None else None
    if d is None:
        return ""
    out = ['<h2 id="pad-damage">Pad damage and its consequences</h2>',
           f"<p>{html.escape(d.cause[:1].upper() + d.cause[1:])}: pad <strong>{html.escape(d.pad_id)}</strong> out of service from "
           f"{html.escape(iso_utc(parse_utc(d.t), 0))} until {html.escape(iso_utc(parse_utc(d.repair_utc), 0)[:10])}.</p>"]
    w = getattr(result, "pad_whatif", None)
    if w is None:
        out.append('<p class="note">No traffic what-if in this result (run gyrfalcon traffic whatif for the '
                   'consequences).</p>')
        return "\n".join(out)
    aff = w.affected
    if aff:
        out.append("<p>Launches that slip (the station's planned traffic re-planned around the outage, pad "
                   f"turnaround {w.turnaround_days:.0f} days):</p>")
        rows = [(html.escape(s.vehicle), html.escape(s.pad or ""), html.escape(s.planned_utc[:10]),
                 html.escape(s.replanned_utc[:10] if s.replanned_utc else "cancelled"),
                 _fmt(s.slip_days, ".0f"), html.escape("; ".join(s.reasons))) for s in aff]
        out.append(_table(("vehicle", "pad", "planned", "re-planned", "slip [days]", "why"), rows, num_cols=(4,),
                          nowrap_cols=(0, 2, 3)))
    else:
        out.append("<p>No planned launch is affected.</p>")
    if w.moved:
        rows = [(html.escape(m.description), html.escape(m.planned_utc[:10]),
                 html.escape(m.replanned_utc[:10] if m.replanned_utc else "dropped"), _fmt(m.shift_days, ".0f"),
                 html.escape(m.because_of)) for m in w.moved]
        out.append("<p>Events that move with them:</p>")
        out.append(_table(("event", "planned", "re-planned", "shift [days]", "because of"), rows, num_cols=(3,)))
    cp, cn = w.cargo_planned, w.cargo
    out.append(f"<p>Longest interval between two Progress arrivals (resupply): {cp.longest_resupply_gap_days:.0f} days "
               f"planned, {cn.longest_resupply_gap_days:.0f} days re-planned. Days without a Progress at Zvezda aft "
               f"(reboost port): {cp.zvezda_aft_gap_days:.0f} planned, {cn.zvezda_aft_gap_days:.0f} re-planned.</p>")
    risk = w.stays_at_risk
    out.append("<p>Stays beyond their vehicle's limit: "
               + (", ".join(html.escape(f"{s.vehicle} ({s.replanned_stay_days:.0f} d, limit {s.limit_days:.0f} d)")
                            for s in risk) if risk else "none") + ".</p>")
    if w.rule_violation:
        out.append(f'<p class="note">The re-planned traffic breaks a manifest rule: {html.escape(w.rule_violation)}</p>')
    return "\n".join(out)


def _table(header, rows, num_cols=(), nowrap_cols=()) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = " ".join(n for n, cols in (("num", num_cols), ("nw", nowrap_cols)) if i in cols)
            cls = f' class="{cls}"' if cls else ""
            cells.append(f"<td{cls}>{c}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _title(result) -> str:
    sc = result.scenario
    name = None
    for attr in ("name", "title", "id"):
        name = getattr(sc, attr, None) if sc is not None else None
        if name:
            break
    head = "WHAT-IF " if getattr(result, "what_if", False) else ""
    return f"Gyrfalcon {head}mission report: {name}" if name else f"Gyrfalcon {head}mission report"


def render_report(result, manifest=None) -> str:
    """The report page as an HTML string (see :func:`write_report`)."""
    from .plots import mission_figures

    r = result
    for attr in ("events", "ascent", "rendezvous", "approach", "landing", "chaser", "station", "occupancy"):
        if not hasattr(r, attr):
            raise InputError(f"write_report needs a gyrfalcon.mission.result.MissionResult; {type(r).__name__} "
                             f"has no {attr!r}")
    title = html.escape(_title(r))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{title}</h1>",
        glance_html(r),
        '<h2 id="headline">Headline</h2>',
        _table(("quantity", "value"), [(html.escape(k), v) for k, v in headline_rows(r)]),
    ]
    real = model_vs_real_rows(r)
    if real:
        parts.append('<h2 id="model-vs-real">Model vs real</h2>')
        parts.append("<p>The real flight's times (scenario <code>[real]</code>; comparison only, never an input of "
                     "the model):</p>")
        parts.append(_table(("event", "model (UTC)", "real (UTC)", "model \u2212 real", "source"),
                            [(html.escape(a), html.escape(b) if b != "&mdash;" else b, html.escape(c), html.escape(d),
                              html.escape(e)) for a, b, c, d, e in real], num_cols=(3,), nowrap_cols=(0, 1, 2, 3)))
    dmg = pad_damage_html(r)
    if dmg:
        parts.append(dmg)
    parts.append('<h2 id="timeline">Timeline</h2>')
    if r.events:
        rows = [(html.escape(_utc(e.utc)), _met(e.met_s), html.escape(e.phase), html.escape(e.name), html.escape(e.notes))
                for e in r.events]
        parts.append(_table(("UTC", "MET [d h:mm:ss]", "phase", "event", "notes"), rows, num_cols=(1,),
                            nowrap_cols=(0, 1)))
    else:
        parts.append('<p class="note">No timeline events in this result.</p>')
    if r.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(str(n))}</li>" for n in r.notes) + "</ul>")
    parts.append('<h2 id="plots">Plots</h2>')
    for p in mission_figures(r, manifest=manifest):
        parts.append(f'<figure id="plot-{p.key}" data-plot="{p.key}">')
        parts.append(f"<h3>{html.escape(p.title)}</h3>")
        if p.figure is not None:
            uri = _fig_to_data_uri(p.figure)
            parts.append(f'<img alt="{html.escape(p.title)}" src="{uri}">')
            parts.append(f"<figcaption>{html.escape(p.caption)}</figcaption>")
        else:
            parts.append(f'<p class="note">Not drawn: {html.escape(p.note)}.</p>')
        parts.append("</figure>")
    parts.append("<footer><p>Generated by Gyrfalcon. Times in UTC; SI units unless stated.</p></footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(result, path, *, manifest=None) -> Path:
    """Write ``report.html`` for ``result`` (a MissionResult) to ``path``; returns the path.

    ``manifest``: the traffic :class:`~gyrfalcon.traffic.manifest.Manifest` for the port
    occupancy Gantt chart (default ``result.manifest``, which ``gyrfalcon run`` fills; without
    one the chart is replaced by a note). Missing phases (None) are left out with a note. The parent directory
    must exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"cannot write the report to {path}: directory {path.parent} does not exist; create it first")
    path.write_text(render_report(result, manifest=manifest), encoding="utf-8")
    return path
