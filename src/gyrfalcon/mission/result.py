"""What a flown mission returns: one frozen object that the CLI, the report, the CZML/OEM
writers and the web API all render (no phase is re-computed by an output writer).

Written by :func:`gyrfalcon.mission.runner.fly` (``gyrfalcon run``). Each phase's own result
object is kept whole, so a writer can reach any detail (e.g. ``ascent.samples``).

Output directory layout (``--out DIR``, default ``./gyrfalcon-out/<scenario>/``)::

    timeline.json      TimelineEvent list + headline figures (see MissionResult.to_json_dict)
    report.html        one self-contained page (plots inlined as base64 PNG/SVG)
    chaser.oem         CCSDS OEM (KVN) of the spacecraft, GCRF, liftoff+insertion -> contact
    station.oem        CCSDS OEM (KVN) of the station over the same span
    flight.czml        CZML for CesiumJS (chaser + station paths, events as a timeline)
    scenario.toml      the validated scenario as flown (for reproducibility)
    COMPLETE           written last: a directory without it is not a finished run
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the mission timeline. ``met_s``: seconds after liftoff (negative before)."""

    name: str
    utc: str
    met_s: float
    phase: str            # countdown | ascent | rendezvous | approach | docking | stay | return
    notes: str = ""
    t: Any = field(default=None, compare=False, repr=False)   # the instant as a skyfield Time (utc is its text)


@dataclass(frozen=True)
class MissionTimes:
    """The headline instants of a flight as skyfield ``Time`` objects (None when not reached);
    ``MissionResult.launch_utc`` etc. are their text at the edge (ISO UTC, 0.1 s)."""

    liftoff: Any = None
    insertion: Any = None
    contact: Any = None
    landing: Any = None


@dataclass(frozen=True)
class MissionResult:
    """A whole flight.

    Attributes (phase results are the phase modules' own dataclasses; None when a phase was
    not flown, e.g. a scrubbed countdown):

    scenario        the validated scenario (pydantic model)
    seed            the random seed used
    launch_utc, insertion_utc, contact_utc, landing_utc : ISO UTC strings (or None)
    total_dv_mps    rendezvous delta-v (phasing + braking) [m/s]
    events          tuple of TimelineEvent, sorted by time
    countdown       gyrfalcon.launch.countdown.CountdownResult
    ascent          gyrfalcon.launch.ascent.AscentResult
    windows         tuple of gyrfalcon.launch.windows.LaunchWindow considered
    rendezvous      gyrfalcon.rendezvous.plan.RendezvousPlan
    approach        gyrfalcon.proximity.approach.ApproachResult
    occupancy       gyrfalcon.traffic.manifest.Occupancy after docking (ports -> vehicles)
    landing         gyrfalcon.landing.plan.LandingPlan
    chaser          gyrfalcon.orbits.ephemeris.Ephemeris (GCRF) insertion -> contact
    station         gyrfalcon.orbits.ephemeris.Ephemeris (GCRF) over the same span
    """

    scenario: Any
    seed: int
    launch_utc: str | None
    insertion_utc: str | None
    contact_utc: str | None
    landing_utc: str | None
    total_dv_mps: float | None
    events: tuple = ()
    countdown: Any = None
    ascent: Any = None
    windows: tuple = ()
    rendezvous: Any = None
    approach: Any = None
    occupancy: Any = None
    landing: Any = None
    chaser: Any = None
    station: Any = None
    notes: tuple = field(default=())
    # --- added by the runner (optional, after the original fields) ---
    milestones: tuple = ()                  # gyrfalcon.traffic.manifest.Milestone of the updated manifest
    return_station_source: str | None = None  # how the station trajectory for the return was obtained
    manifest: Any = None     # gyrfalcon.traffic.manifest.Manifest (port occupancy over time, for the Gantt)
    what_if: bool = False    # flown as a what-if (it may break station rules; the notes say which)
    pad_whatif: Any = None   # gyrfalcon.traffic.whatif.WhatIfResult of a pad damaged by this launch
    times: MissionTimes = field(default_factory=MissionTimes)   # the headline instants as skyfield Time objects
    scenario_source: str | None = None   # the scenario file's path (its relative file paths are relative to it)
    station_report: dict | None = None   # the target station's report (Station.to_dict(): source, drag fit, warnings)
    warnings: tuple = ()     # the station data's warnings (loader, stale, propagated), also in notes as "station: ..."

    def shortfall(self) -> tuple[str, str] | None:
        """Why the flight did not end docked, as ``(label, one line)``: ``("scrubbed", "nothing
        flown: the countdown scrubbed (...)")`` or ``("not captured", "approach ended without
        capture: verdict aborted (...)")``; ``None`` for a captured flight. The command line
        prints it and exits 3; a web API job ends ``failed`` with it. Outputs are written either way."""
        if self.launch_utc is None:
            why = getattr(self.countdown, "reason", None) or "no liftoff"
            return "scrubbed", f"nothing flown: the countdown scrubbed ({why})"
        appr = self.approach
        if appr is not None and getattr(appr, "verdict", "captured") != "captured":
            why = "; ".join(list(getattr(appr, "events", ()))[-2:])
            return "not captured", (f"approach ended without capture: verdict {appr.verdict}"
                                    + (f" ({why})" if why else ""))
        return None

    def to_json_dict(self) -> dict:
        """The ``--json`` / ``timeline.json`` form: headline times, total delta-v, events, notes and
        ``"station"``: the target station's report (:meth:`gyrfalcon.orbits.station_source.Station.to_dict`:
        source, drag scale and sigma, fit rms and arc, burns, warnings) when the runner gave it."""
        return {
            "launch_utc": self.launch_utc,
            "insertion_utc": self.insertion_utc,
            "contact_utc": self.contact_utc,
            "landing_utc": self.landing_utc,
            "total_dv_mps": self.total_dv_mps,
            "seed": self.seed,
            "what_if": bool(self.what_if),
            "events": [
                {"name": e.name, "utc": e.utc, "met_s": e.met_s, "phase": e.phase, "notes": e.notes}
                for e in self.events
            ],
            "notes": list(self.notes),
            **({} if self.station_report is None else {"station": self.station_report}),
        }
