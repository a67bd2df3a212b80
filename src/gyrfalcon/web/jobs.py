"""Background mission runs started through the API, with pollable progress.

A :class:`JobQueue` runs one flight at a time in a worker thread
(:func:`gyrfalcon.mission.runner.fly` then :func:`~gyrfalcon.mission.runner.write_outputs`
into ``<out>/<scenario name>``); each :class:`Job` records every phase's status as the
runner reports it (``start`` -> ``running``, ``done``, ``skip``), its state (``queued``,
``running``, ``done``, ``failed``) and, on failure, the runner's one-line message. A flight that
is flown and written but does not dock (scrubbed countdown, approach without capture: the
command line's exit 3) ends ``failed`` with that line; its outputs stay in the run folder.

Assumptions: one flight at a time (a flight keeps one core busy for about 15 s on the
reference 2-core machine); at most ``max_pending`` jobs queued or running; jobs are kept in
memory (a restarted server forgets them; finished runs stay on disk).
"""
from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GyrfalconError


class JobLimitError(GyrfalconError):
    """Too many runs are queued or running; wait for one to finish."""


class RunExistsError(GyrfalconError):
    """A run (or a queued job) with that scenario name exists already; rename the scenario."""


def _scrub_run_path(text: str, out_dir: Path, run: str) -> str:
    """A job's error worded for the API: the run's folder named by the run, not by the server's
    path, and the command line's ``--out`` advice given as the API's (another scenario name).

    >>> _scrub_run_path("another gyrfalcon run is writing /srv/out/cc2 (pid 7); give another --out",
    ...                 Path("/srv/out"), "cc2")
    "another gyrfalcon run is writing run 'cc2' (pid 7); give the scenario another name"
    """
    for form in {str((Path(out_dir) / run).resolve()), str(Path(out_dir) / run)}:
        text = text.replace(f"--out {form}", f"run '{run}'").replace(form, f"run '{run}'")
    return text.replace("give another --out", "give the scenario another name")


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"


@dataclass
class Job:
    id: str
    run: str
    state: str = "queued"
    phases: dict = field(default_factory=dict)
    error: str | None = None
    created_utc: str = field(default_factory=_now)
    finished_utc: str | None = None
    warnings: tuple = ()
    """What the pre-queue check warned of (``scenario check``'s warnings: station data age, sets left out, ...)."""

    def as_dict(self) -> dict:
        return {"id": self.id, "run": self.run, "state": self.state, "phases": dict(self.phases),
                "error": self.error, "created_utc": self.created_utc, "finished_utc": self.finished_utc,
                "warnings": list(self.warnings)}


class JobQueue:
    """Runs scenarios in the background (see the module docstring)."""

    def __init__(self, out_dir: Path, *, max_pending: int = 2):
        self.out_dir = Path(out_dir)
        self.max_pending = int(max_pending)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gyrfalcon-run")
        self._uploads: list = []         # (future, station upload) of the runs submitted with one

    def submit(self, scenario, text: str, upload: Path | None = None, warnings=()) -> Job:
        """Queue ``scenario`` (validated) with its TOML ``text``; raises JobLimitError / RunExistsError.
        ``upload``: a station file saved for this run only, deleted when the run ends; ``warnings``:
        the pre-queue check's, kept on the job for the client."""
        from ..mission.runner import PHASES

        name = scenario.name
        with self._lock:
            pending = [j for j in self._jobs.values() if j.state in ("queued", "running")]
            if len(pending) >= self.max_pending:
                raise JobLimitError(f"{len(pending)} runs are queued or running (limit {self.max_pending}); "
                                    "poll /api/jobs and start this one when one has finished")
            if any(j.run == name for j in pending) or os.path.lexists(self.out_dir / name):   # a link too
                raise RunExistsError(f"a run named '{name}' exists or is queued; give the scenario another name")
            job = Job(uuid.uuid4().hex, name, phases={p: "pending" for p in PHASES}, warnings=tuple(warnings))
            self._jobs[job.id] = job
        fut = self._pool.submit(self._run, job, scenario, text, upload)
        if upload is not None:
            with self._lock:
                self._uploads = [(f, u) for f, u in self._uploads if not f.done()] + [(fut, Path(upload))]
        return job

    def _progress(self, job: Job):
        def cb(phase: str, status: str) -> None:
            with self._lock:
                job.phases[phase] = {"start": "running"}.get(status, status)
        return cb

    def _run(self, job: Job, scenario, text: str, upload: Path | None = None) -> None:
        from ..mission.runner import write_outputs

        with self._lock:
            job.state = "running"
        try:
            cb = self._progress(job)
            result = _flown(scenario, cb)
            if upload is not None:        # notes name the upload by its request field, not the server's path
                result = _scrub_result(result, upload)
            write_outputs(result, self.out_dir / job.run, text, progress=cb)
            short = result.shortfall()      # written, but not docked: as the command line's exit 3
            state, error = ("done", None) if short is None else ("failed", short[1])
        except GyrfalconError as exc:
            state, error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the poller, not raised in a thread
            state, error = "failed", f"internal error: {type(exc).__name__}: {exc}"
        finally:
            if upload is not None:       # saved for this run only
                Path(upload).unlink(missing_ok=True)
        if upload is not None and error is not None:   # named by its request field, not the server's path
            from .app import scrub_upload_path

            error = scrub_upload_path(error, upload)
        if error is not None:
            error = _scrub_run_path(error, self.out_dir, job.run)
        with self._lock:
            job.state, job.error, job.finished_utc = state, error, _now()
            if state == "failed":          # the phase it failed in says so, not "running"
                job.phases = {p: ("failed" if v == "running" else v) for p, v in job.phases.items()}

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            j = self._jobs.get(job_id)
            return None if j is None else Job(**{**j.__dict__, "phases": dict(j.phases)})

    def list(self) -> list[Job]:
        with self._lock:
            return [Job(**{**j.__dict__, "phases": dict(j.phases)}) for j in self._jobs.values()]

    def shutdown(self) -> None:
        """Stop taking runs; queued runs are cancelled and their station uploads deleted (a run
        that never starts never deletes its own)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for fut, upload in self._uploads:
                if fut.cancelled():
                    upload.unlink(missing_ok=True)
            self._uploads = [(f, u) for f, u in self._uploads if not f.cancelled()]


def _flown(scenario, progress):
    """The runner's flight; a scheme the phase does not fit is refused with the pad's part and the
    nearest launch that fits, as ``gyrfalcon run`` refuses it (:func:`gyrfalcon.refusals.complete_scheme_refusal`)."""
    from ..refusals import completed_scheme_refusals
    from ..mission.runner import fly

    with completed_scheme_refusals():
        return fly(scenario, source="<upload>", progress=progress)


def _scrub_result(result, upload: Path):
    """``result`` with the server's path of the station upload replaced by the request field's
    name in its notes, event notes, station report and return-station source (what the timeline
    and report show);
    the scenario keeps the path (the outputs copy the file from it)."""
    from dataclasses import replace

    from .app import scrub_upload_path

    fix = lambda s: s if s is None else scrub_upload_path(s, upload)

    def deep(v):        # the station report (a JSON-ready dict): every text in it
        if isinstance(v, str):
            return fix(v)
        if isinstance(v, dict):
            return {k: deep(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [deep(x) for x in v]
        return v

    return replace(result, notes=tuple(fix(n) for n in result.notes),
                   events=tuple(replace(e, notes=fix(e.notes)) for e in result.events),
                   return_station_source=fix(result.return_station_source),
                   station_report=deep(getattr(result, "station_report", None)))
