"""``gyrfalcon traffic``: the station manifest (show, edit, check, Gantt chart, pad-outage what-if).

Edits go through :class:`gyrfalcon.traffic.store.ManifestStore`: each is validated against every
manifest rule and written in one transaction, or refused (one red line, exit code 2) and not
written. ``--db`` takes a file path or an SQLAlchemy URL (default: ``manifest.sqlite`` in the
user's data directory, ``$GYRFALCON_DATA_DIR`` overrides it; created with the built-in
manifest on first use). ``move``/``remove --expect-version N`` refuse a stale edit.
"""
from __future__ import annotations

import typer

from .checks import esc
from .common import console, handle_errors, print_json

DB_HELP = ("Manifest database: a file path or an SQLAlchemy URL (postgresql+psycopg://user@host/db). "
           "Default: manifest.sqlite in the user's data directory ($GYRFALCON_DATA_DIR overrides it).")
EXPECT_HELP = ("Refuse (exit 2, nothing written) unless the event is still at this version (the 'version' "
               "column of 'traffic events'): someone else's change since you read it is not overwritten.")
BUILTIN_HELP = "Use the built-in late-2025 manifest plus its 2026 plan (in memory) instead of a database."


def _store(db, create: bool = False):
    """The store at ``db``. The default store (no ``--db``) is created on first use and filled
    with the built-in manifest (a note on stderr says so); unless ``create``, a missing SQLite
    file named by ``--db`` is an error (not a new empty one)."""
    from pathlib import Path

    from ..traffic.store import AlreadyLoadedError, ManifestStore, ManifestStoreError, resolve_url

    url = resolve_url(db)
    if "://" in url and not url.startswith(("sqlite", "postgres")):
        from ..errors import InputError

        raise InputError(f"--db {db}: not a database this tool opens; give a file path (SQLite) or a URL such as "
                         "postgresql+psycopg://user@host/db")
    if "://" in url and not url.startswith("sqlite"):
        from .checks import check_reachable

        check_reachable(url, "--db", default_port=5432 if url.startswith("postgres") else None)
    if url.startswith("sqlite") and url.rstrip("/") in ("sqlite:", "sqlite:/") or ":memory:" in url:
        from ..errors import InputError

        raise InputError(f"--db {db}: an in-memory database keeps nothing after the command; give a file path")
    path = Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
    missing = path is not None and not path.is_file()
    if path is not None and not missing and not create and path.stat().st_size == 0:
        raise ManifestStoreError(f"--db {db}: {path} is an empty file, not a manifest database; nothing was written. "
                                 f"Make it one with 'gyrfalcon traffic init --db {db}', or give the database's path")
    if missing and not create and db is None:
        s = ManifestStore(None)
        try:
            n = len(s.load_builtin())
        except AlreadyLoadedError:  # another process initialised it meanwhile
            return s
        except BaseException:
            s.close()
            raise
        from rich.console import Console

        Console(stderr=True, highlight=False).print(
            f"note: created the default manifest database {url[len('sqlite:///'):]} with the built-in "
            f"late-2025 ISS manifest ({n} events)", markup=False)
        return s
    if missing and not create:
        raise ManifestStoreError(
            f"no manifest database at {url[len('sqlite:///'):]}; create it with 'gyrfalcon traffic init"
            f"{'' if db is None else ' --db ' + str(db)}' (add --empty for an empty one)")
    return ManifestStore(db, create_folder=create)     # init makes its folder, as run --out does


def _is_bare_day(text: str) -> bool:
    """``YYYY-MM-DD`` alone (spaces around it allowed): a UTC day, not an instant."""
    import re

    return re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text) is not None


def _day_end(text: str) -> str:
    """``--to`` as the end of the chart: a bare UTC day is shown whole (to the next midnight)."""
    from ..traffic.manifest import normalise_time

    if _is_bare_day(text):
        import datetime as dt

        try:
            nxt = dt.date.fromisoformat(text.strip()) + dt.timedelta(days=1)     # the next midnight, leap second or not
        except ValueError:
            return normalise_time(text)          # refused there, in its words
        return normalise_time(nxt.isoformat())
    return normalise_time(text)


def _day_or_instant(date, at) -> None:
    """``traffic show`` takes one of ``--date`` (a UTC day) and ``--at`` (an instant); a day with a
    time of day is refused rather than read as the end of that day."""
    from ..errors import InputError

    if (date is None) == (at is None):
        raise InputError("give one of --date YYYY-MM-DD (the end of that UTC day) or --at <UTC instant>, "
                         "e.g. --at 2025-11-27T12:00Z")
    if date is not None and not _is_bare_day(date):
        raise InputError(f"--date {date}: a UTC day (YYYY-MM-DD), shown as at its end; for an instant give "
                         f"--at {date.strip()}")


def _db_file(db):
    """The SQLite file ``--db`` names, as a path or a ``sqlite:///`` URL (None for the default
    store or a server database)."""
    if db is None:
        return None
    from ..traffic.store import resolve_url

    url = resolve_url(db)
    if not url.startswith("sqlite"):
        return None
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).database or None
    except sa.exc.ArgumentError:
        return None


def _manifest(db, builtin: bool):
    from ..errors import InputError

    if builtin:
        if db is not None:
            raise InputError("give either --db or --builtin, not both")
        from ..traffic.builtin import planned_manifest

        return planned_manifest()
    with _store(db) as s:
        return s.manifest()


def _fmt(t: str | None) -> str:
    return "-" if t is None else t[:16].replace("T", " ")


def _days(x) -> str:
    return "-" if x is None else f"{x:.1f}"


def register(app: typer.Typer) -> None:
    traffic = typer.Typer(name="traffic", no_args_is_help=True, add_completion=False,
                          help="Station traffic: the manifest of visiting vehicles, its rules and what-ifs.")
    app.add_typer(traffic, name="traffic")

    @traffic.command("init")
    @handle_errors
    def init(db: str = typer.Option(None, "--db", help=DB_HELP),
             empty: bool = typer.Option(False, "--empty", help="Create the database without loading the built-in manifest.")):
        """Create a manifest database and fill it with the built-in late-2025 ISS manifest (it must be empty)."""
        with _store(db, create=True) as s:
            if empty:
                console().print(f"ready: {s!r} ({s.count()} events)")
                return
            n = len(s.load_builtin())
            console().print(f"loaded {n} events into {s!r}")

    @traffic.command("events")
    @handle_errors
    def events(db: str = typer.Option(None, "--db", help=DB_HELP),
               json_out: bool = typer.Option(False, "--json", help="Print the events as a JSON list.")):
        """List the stored events (with the ids that move/remove take)."""
        with _store(db) as s:
            evs = s.events()
            vehicles = s.vehicles()
        if json_out:
            print_json([e.as_dict() | {"vehicle_type": vehicles.get(e.vehicle)} for e in evs])
            return
        from rich.table import Table

        t = Table("id", "version", "UTC", "event", "vehicle", "port / pad", "crew")
        for e in evs:
            t.add_row(str(e.id), str(e.version), _fmt(e.t_utc), e.kind, e.vehicle, e.port or e.pad or "",
                      ", ".join(e.crew))
        console().print(t)

    @traffic.command("show")
    @handle_errors
    def show(date: str = typer.Option(None, "--date", help="UTC day (YYYY-MM-DD): the station at the end of it."),
             at: str = typer.Option(None, "--at", help="UTC instant (ISO 8601, e.g. 2025-11-27T12:00Z): the "
                                                      "station then (events at that instant included)."),
             db: str = typer.Option(None, "--db", help=DB_HELP),
             builtin: bool = typer.Option(False, "--builtin", help=BUILTIN_HELP),
             json_out: bool = typer.Option(False, "--json", help="Print the occupancy as JSON.")):
        """Port occupancy at the end of a UTC day (or at an instant): who is on which port, the arm,
        the crew and their seats."""
        _day_or_instant(date, at)
        m = _manifest(db, builtin)
        occ = m.occupancy_at(at) if at is not None else m.occupancy_on(date)
        from ..traffic.builtin import occupancy_view

        d = occupancy_view(m, occ, planned=builtin)
        note = d["note"]
        if json_out:
            if not note:
                del d["note"]             # the command's JSON leaves the key out on a recorded day
            print_json(d)
            return
        from rich.table import Table

        from ..traffic.manifest import fmt_t

        when = f"at {fmt_t(occ.t_utc)}" if at is not None else f"at the end of {occ.date} (UTC)"
        t = Table("port", "vehicle", "type", "crew seated", title=f"{m.station.name} {when}")
        for port, v in occ.ports.items():
            seated = sorted(c for c, sv in occ.seats.items() if sv == v) if v else []
            t.add_row(port, v or "-", m.vehicles.get(v, "") if v else "", ", ".join(seated))
        con = console()
        con.print(t)
        con.print(f"occupied {occ.occupied_count}/{len(occ.ports)}; arm: {occ.arm or 'empty'}; "
                  f"crew aboard: {len(occ.crew_aboard)}")
        for ms in occ.milestones:
            con.print(f"milestone {ms.t_utc[:16]}: {ms.text}")
        if note:
            con.print(f"note: {note}", markup=False, highlight=False)

    @traffic.command("add")
    @handle_errors
    def add(kind: str = typer.Argument(..., help="launch, arrival, departure, relocation, capture, berth, hold, release, crew_change"),
            utc: str = typer.Argument(..., help="UTC time (ISO 8601)."),
            vehicle: str = typer.Argument(..., help="Vehicle name, e.g. 'Progress MS-33'."),
            port: str = typer.Option(None, "--port", help="Target port (arrival, relocation, berth)."),
            pad: str = typer.Option(None, "--pad", help="Launch pad id (launch)."),
            crew: str = typer.Option("", "--crew", help="Crew, comma-separated."),
            vehicle_type: str = typer.Option(None, "--type", help="Vehicle type of a new vehicle (e.g. progress-ms)."),
            notes: str = typer.Option("", "--notes", help="Free text (a '[moves with X]' tag links it to X's launch in what-ifs)."),
            what_if: bool = typer.Option(False, "--what-if", help="Do not record it: say which rules it would break "
                                         "and what the station would look like (exit 0)."),
            json_out: bool = typer.Option(False, "--json", help="Print the result as JSON (the recorded event; with --what-if, the rules it would break)."),
            db: str = typer.Option(None, "--db", help=DB_HELP)):
        """Record an event after checking every rule on the whole timeline (refused: nothing written)."""
        from ..traffic.manifest import ManifestRuleError

        crew_l = [c for c in crew.split(",") if c.strip()]
        if what_if:
            return _add_what_if(db, kind, utc, vehicle, port, pad, crew_l, notes, vehicle_type, json_out)
        with _store(db) as s:
            try:
                e = s.add_event(kind, utc, vehicle, port=port, pad=pad, crew=crew_l, notes=notes,
                                vehicle_type=vehicle_type)
            except ManifestRuleError as exc:
                raise type(exc)(f"{exc}; to see it as a what-if (nothing recorded), pass --what-if",
                                exc.event) from None
        if json_out:
            print_json({"what_if": False, "recorded": True, "event": e.as_dict()})
            return
        console().print(f"recorded {e.describe()}")

    @traffic.command("move")
    @handle_errors
    def move(event_id: int = typer.Argument(..., help="Event id (see 'traffic events')."),
             to: str = typer.Option(None, "--to", help="New UTC time."),
             port: str = typer.Option(None, "--port", help="New target port."),
             pad: str = typer.Option(None, "--pad", help="New launch pad."),
             expect_version: int = typer.Option(None, "--expect-version", min=1, help=EXPECT_HELP),
             db: str = typer.Option(None, "--db", help=DB_HELP)):
        """Move an event in time (or to another port/pad), if the timeline still passes every rule."""
        with _store(db) as s:
            e = s.move_event(event_id, to, port=port, pad=pad, expect_version=expect_version)
        console().print(f"moved: {e.describe()} (now version {e.version})")

    @traffic.command("remove")
    @handle_errors
    def remove(event_id: int = typer.Argument(..., help="Event id (see 'traffic events')."),
               expect_version: int = typer.Option(None, "--expect-version", min=1, help=EXPECT_HELP),
               db: str = typer.Option(None, "--db", help=DB_HELP)):
        """Delete an event, if the timeline without it still passes every rule (its id is never reused)."""
        with _store(db) as s:
            e = s.remove_event(event_id, expect_version=expect_version)
        console().print(f"removed {e.describe()}")

    @traffic.command("check")
    @handle_errors
    def check(db: str = typer.Option(None, "--db", help=DB_HELP)):
        """Replay the stored manifest against every rule and today's pad board; exit 2 on a broken rule."""
        from ..traffic.store import ManifestStoreError

        with _store(db) as s:
            integrity = s.integrity_check()
            if integrity not in ("ok", "n/a"):
                raise ManifestStoreError(f"database integrity check failed: {integrity}; restore a backup")
            m = s.manifest()
        console().print(f"ok: {len(m.events)} events, {len(m.vehicles)} vehicles pass every rule "
                        f"(integrity: {integrity})")

    @traffic.command("gantt")
    @handle_errors
    def gantt_cmd(out: str = typer.Option(..., "--out", help="Output file (.png, .svg or .pdf); an existing file only with --overwrite."),
                  overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file."),
                  db: str = typer.Option(None, "--db", help=DB_HELP),
                  builtin: bool = typer.Option(False, "--builtin", help=BUILTIN_HELP),
                  start: str = typer.Option(None, "--from", help="First UTC day shown."),
                  end: str = typer.Option(None, "--to", help="Last UTC day shown.")):
        """Draw port occupancy over time as a Gantt chart."""
        from ..traffic.manifest import normalise_time
        from ..traffic.whatif import gantt, port_intervals

        from ..mission.outdir import atomic_path
        from .checks import check_output_file

        _check_image_suffix(out, "--out")
        check_output_file(out, overwrite, "--out", inputs=(_db_file(db),))
        m = _manifest(db, builtin)
        ivs = port_intervals(m.events, m.vehicles)
        end_utc = _day_end(end) if end else None
        with atomic_path(out) as tmp:
            gantt(tmp, ivs, ports=m.station.chart_ports(i.port for i in ivs), title=f"{m.station.name} port occupancy",
                  start_utc=normalise_time(start) if start else None, end_utc=end_utc)
        console().print(f"wrote {out}")
        from ..traffic.builtin import after_record_note

        last_shown = end_utc or max([i.to_utc or i.from_utc for i in ivs] + [i.from_utc for i in ivs], default=None)
        note = after_record_note(last_shown[:10], m, planned=builtin) if last_shown else None
        if note:
            console().print(f"note: {note}", markup=False, highlight=False)

    @traffic.command("whatif")
    @handle_errors
    def whatif(pad_outage: str = typer.Option(..., "--pad-outage", help="PAD:START..END, e.g. baikonur-31:2025-11-27..2026-03-03 (END empty: no end)."),
               turnaround_days: float = typer.Option(None, "--turnaround-days", help="Pad turnaround after the outage [days] (default 16)."),
               db: str = typer.Option(None, "--db", help=DB_HELP + " Default here: the built-in manifest and plan."),
               gantt_out: str = typer.Option(None, "--gantt", help="Also draw port occupancy (re-planned, planned in grey) to this .png/.svg (an existing file only with --overwrite)."),
               overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --gantt file."),
               json_out: bool = typer.Option(False, "--json", help="Print the result as JSON.")):
        """Re-plan the launches a pad outage affects and report slips, stays beyond limits, lifeboat seats
        and Progress gaps at Zvezda aft."""
        from ..traffic import whatif as w

        if gantt_out:
            from .checks import check_output_file

            _check_image_suffix(gantt_out, "--gantt")
            check_output_file(gantt_out, overwrite, "--gantt", inputs=(_db_file(db),))
        kwargs = {}
        if turnaround_days is not None:
            kwargs["turnaround_days"] = turnaround_days
        if db is not None:
            from ..launch.sites import PadStatusBoard

            with _store(db) as s:
                evs, vehicles = s.events(), s.vehicles()
            outage = w.parse_pad_outage(pad_outage, evs)
            r = w.pad_outage_whatif(outage, evs, vehicles,
                                    board=PadStatusBoard.from_catalog(known_before=outage.since_utc), **kwargs)
        else:
            from ..traffic.builtin import planned_events

            outage = w.parse_pad_outage(pad_outage, planned_events()[0])
            r = w.pad_outage_whatif(outage, **kwargs)
        if gantt_out:
            from ..mission.outdir import atomic_path

            path = gantt_out
            span = r.chart_span()
            with atomic_path(gantt_out) as tmp:
                w.gantt(tmp, r.intervals(True), baseline=r.intervals(False),
                           ports=r.baseline.station.chart_ports(i.port for i in r.intervals(True) + r.intervals(False)),
                           title=f"Port occupancy, {outage.pad_id} out {_fmt(outage.since_utc)[:10]}.."
                                 f"{_fmt(outage.until_utc)[:10]}",
                           start_utc=span[0], end_utc=span[1], outage=outage)
        if json_out:
            print_json(r.as_dict() | ({"gantt": str(path)} if gantt_out else {}))
            return
        _print_whatif(r)
        if gantt_out:
            console().print(f"wrote {path}")


def _add_what_if(db, kind, t, vehicle, port, pad, crew, notes, vehicle_type, json_out) -> None:
    """``traffic add --what-if``: the event replayed with the stored timeline, nothing written."""
    from ..traffic.manifest import Event, Manifest, ManifestInputError, ManifestRuleError, make_event

    with _store(db) as s:
        evs, vehicles, station, pads = s.events(), s.vehicles(), s.station, s.pads
    ev = make_event(kind, t, vehicle, port, pad, crew, notes)
    if vehicle_type:
        vehicles = {**vehicles, ev.vehicle: station.vehicle_type(vehicle_type).id}
    if ev.vehicle not in vehicles:
        raise ManifestInputError(f"vehicle '{ev.vehicle}' is not in the manifest yet; give its --type")
    new_id = max([e.id for e in evs], default=0) + 1
    ev = Event(**{**ev.__dict__, "id": new_id})
    try:
        Manifest.from_events(list(evs) + [ev], vehicles, station, pads)
        breach = None
    except ManifestRuleError as exc:       # the event is not recorded: its would-be id means nothing
        breach = {"rule": exc.rule, "message": str(exc).replace(f" (event #{new_id})", "")}
    if json_out:
        print_json({"what_if": True, "recorded": False, "event": ev.as_dict() | {"id": None},
                    "breaks": [breach] if breach else []})
        return
    from rich.text import Text

    con = console()
    con.print(Text("WHAT-IF (not recorded): " + ev.describe().replace(f" (event #{new_id})", ""), style="bold yellow"))
    con.print(Text(f"breaks rule {breach['rule']}: {breach['message']}" if breach else "passes every rule"))


def _check_image_suffix(path, option: str) -> None:
    from ..errors import InputError

    if not str(path).lower().endswith((".png", ".svg", ".pdf")):
        raise InputError(f"{option} {path}: give a file name ending in .png, .svg or .pdf")


def _print_whatif(r) -> None:
    from rich.table import Table

    con = console()
    o = r.outage
    con.print(f"[bold]{esc(o.pad_id)} out of service {_fmt(o.since_utc)} .. {_fmt(o.until_utc) if o.until_utc else 'no end'}[/]; "
              f"turnaround {r.turnaround_days:g} d; cadence "
              + ", ".join(f"{esc(k)} {v:g} d" for k, v in r.cadence_days.items()), markup=True)
    t = Table("launch", "pad", "planned", "re-planned", "slip [d]", "why", title="Launches")
    for s in r.slips:
        if s.pad == o.pad_id and s.planned_utc >= o.since_utc[:10]:
            t.add_row(s.vehicle, s.pad or "", _fmt(s.planned_utc), _fmt(s.replanned_utc) if s.replanned_utc else "cancelled",
                      _days(s.slip_days), "; ".join(s.reasons) or "unaffected")
    con.print(t)
    if r.moved:
        t = Table("event", "planned", "re-planned", "shift [d]", "moves with", title="Events moved with them")
        for m in r.moved:
            t.add_row(m.description.split(" on ")[0], _fmt(m.planned_utc), _fmt(m.replanned_utc) if m.replanned_utc else "dropped",
                      _days(m.shift_days), m.because_of)
        con.print(t)
    t = Table("vehicle", "departs: planned -> re-planned", "stay [d]", "limit [d]", "verdict", title="Stays")
    for s in r.stays:
        if s.planned_departure_utc is not None and s.planned_departure_utc < o.since_utc:
            continue  # gone before the outage
        verdict = ("AT RISK" if s.at_risk else "open*" if s.open_ended
                   else "ok" if s.limit_days is not None else "no limit")
        stay = (_days(s.planned_stay_days) if s.planned_stay_days == s.replanned_stay_days
                else f"{_days(s.planned_stay_days)} -> {_days(s.replanned_stay_days)}")
        t.add_row(s.vehicle, f"{_fmt(s.planned_departure_utc)[:10]} -> {_fmt(s.replanned_departure_utc)[:10]}",
                  stay, _days(s.limit_days), verdict)
    con.print(t)
    con.print("* open: the manifest does not record its departure (stay counted to the last event, not judged)")
    if r.seat_gaps:
        t = Table("crew member", "seat on", "from", "to", "days", title="Without a certified lifeboat seat")
        for g in r.seat_gaps:
            t.add_row(g.crew, g.vehicle, _fmt(g.from_utc), _fmt(g.to_utc), _days(g.days))
        con.print(t)
    else:
        con.print("lifeboat: every crew member keeps a seat on a crew vehicle within its stay limit")
    for label, c in (("planned", r.cargo_planned), ("re-planned", r.cargo)):
        gaps = "; ".join(f"{_fmt(g.from_utc)[:10]}..{_fmt(g.to_utc)[:10]} ({g.days:.1f} d)" for g in c.zvezda_aft_gaps)
        con.print(f"{label}: no Progress at Zvezda aft (reboost) {c.zvezda_aft_gap_days:.1f} d [{gaps or 'never'}]; "
                  f"longest span between Progress arrivals {c.longest_resupply_gap_days:.1f} d"
                  + (f" ({_fmt(c.longest_resupply_gap[0])[:10]} .. {_fmt(c.longest_resupply_gap[1])[:10]})"
                     if c.longest_resupply_gap else ""))
    if r.rule_violation:
        con.print(f"[bold red]re-planned timeline breaks a rule[/]: {esc(r.rule_violation)}", markup=True)
    else:
        risks = [s.vehicle for s in r.stays if s.at_risk and not (s.planned_departure_utc is not None
                                                                   and s.planned_departure_utc < o.since_utc)]
        found = ([f"stays at risk: {', '.join(risks)}"] if risks else []) + \
            ([f"{len({g.crew for g in r.seat_gaps})} crew without a certified lifeboat seat"] if r.seat_gaps else [])
        con.print("re-planned timeline passes every manifest rule (the port, pad and crew rules of the record)"
                  + (f"; beyond them: {esc('; '.join(found))} (tables above)" if found else ""))
    gone = [sl.vehicle for sl in r.slips if sl.replanned_utc is None]
    if gone:
        con.print(f"cancelled (the outage has no end): {esc(', '.join(gone))}; they never reach the station, so "
                  "neither the crew nor the cargo they carry arrives")

