"""``report.html``: one self-contained HTML page of a flown mission.

The page carries a headline table (launch, insertion, contact, landing, delta-v, approach and
landing figures), the mission timeline and the figures of :mod:`gyrfalcon.mission.plots`, each as
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
    if s is None:
        return ""
    sign = "-" if s < 0 else ""
    s = abs(float(s))
    h, rem = divmod(s, 3600.0)
    m, sec = divmod(rem, 60.0)
    return f"{sign}{int(h):d}:{int(m):02d}:{sec:04.1f}"


def headline_rows(result) -> list[tuple[str, str]]:
    """(label, value) rows of the headline table; values are formatted strings with units."""
    r = result
    rows = [("What-if", "yes: flown although it breaks station rules (see the notes)")] \
        if getattr(r, "what_if", False) else []
    rows += [
        ("Launch (UTC)", _fmt(r.launch_utc)),
        ("Insertion (UTC)", _fmt(r.insertion_utc)),
        ("Contact (UTC)", _fmt(r.contact_utc)),
        ("Landing (UTC)", _fmt(r.landing_utc)),
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
        rows.append(("Rendezvous scheme", html.escape(f"{p.scheme} (phase at insertion {p.phase_at_insertion_deg:.2f} deg)")))
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
        rows.append(("Landing point [deg N, deg E]", f"{e.landing_lat_deg:.3f}, {e.landing_lon_deg:.3f}"))
        if e.miss_m is not None:
            rows.append(("Miss from zone centre [km]", _fmt(e.miss_m / 1e3, ".1f")))
    return rows


def _table(header, rows, num_cols=()) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = ' class="num"' if i in num_cols else ""
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
        '<h2 id="headline">Headline</h2>',
        _table(("quantity", "value"), [(html.escape(k), v) for k, v in headline_rows(r)]),
        '<h2 id="timeline">Timeline</h2>',
    ]
    if r.events:
        rows = [(html.escape(e.utc), _met(e.met_s), html.escape(e.phase), html.escape(e.name), html.escape(e.notes))
                for e in r.events]
        parts.append(_table(("UTC", "MET [h:mm:ss]", "phase", "event", "notes"), rows, num_cols=(1,)))
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
    occupancy Gantt chart (default ``result.manifest`` when present; without one the chart is
    replaced by a note). Missing phases (None) are left out with a note. The parent directory
    must exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"cannot write the report to {path}: directory {path.parent} does not exist; create it first")
    path.write_text(render_report(result, manifest=manifest), encoding="utf-8")
    return path
