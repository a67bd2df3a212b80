"""The JSON API and the viewer page (FastAPI; served by ``gyrfalcon serve``).

Endpoints (OpenAPI at ``/openapi.json``, docs at ``/docs``); ``[token]`` marks a write that
needs ``Authorization: Bearer <token>`` (401 otherwise, see :mod:`gyrfalcon.web.security`):

=====================================  ===========================================================
GET  /api/health                       liveness and versions
GET  /api/runs                         finished runs in the output directory (with ``COMPLETE``)
GET  /api/runs/{run}/timeline          the run's ``timeline.json``
GET  /api/runs/{run}/files/{name}      one output file: flight.czml, chaser.oem, station.oem,
                                       report.html, scenario.toml, timeline.json, and the
                                       station data copied with the scenario (target-ephemeris.*)
GET  /api/runs/{run}/lvlh              the chaser relative to the station (LVLH, from the OEMs)
POST /api/runs  [token]                start a run from scenario TOML (202 + job; validated first)
GET  /api/jobs, /api/jobs/{id}         background runs and their phase progress
GET  /api/manifest/events              the stored manifest's events
GET  /api/manifest/occupancy           the station at an instant (``at``) or end of a day (``date``)
GET  /api/manifest/intervals           port occupancy intervals overlapping [start, end] (Gantt)
POST /api/manifest/events  [token]     record an event if every station rule passes; a refused
                                       change is 422 with the rule and the reason, nothing written
GET  /api/manifest/events/{id}         one event, with its version as ``ETag``
PATCH /api/manifest/events/{id} [token] move it (new time, port or pad); needs ``If-Match``
DELETE /api/manifest/events/{id} [token] remove it; needs ``If-Match``
GET  /docs                             the API docs page (Swagger UI, served from ``/docs-assets/``)
GET  /                                 the viewer page (CesiumJS, served from ``/cesium/``)
=====================================  ===========================================================

Optimistic concurrency on the manifest: an event's ``ETag`` is ``"<id>.<version>"`` (the
version grows by one per move). ``PATCH`` and ``DELETE`` need ``If-Match`` with the ETag the
client last read (or ``*``: whatever is stored): without it 428, with a stale one 412 and
nothing written (someone changed the event since; GET it again and decide again).

Run and file names never reach the file system unchecked: a run name must match
``[A-Za-z0-9][A-Za-z0-9._-]{0,63}`` (else 422) and name a direct child directory of the
output directory holding ``COMPLETE`` (else 404, also for symbolic links that lead out of
it); file names are an enumeration (else 422); a file is served only if, resolved, it is a
regular file inside that run directory (a symbolic link leading out of it, a FIFO, a device
or a directory: 404), read through a descriptor opened without following links.

The API docs page (``/docs``) loads Swagger UI from this server (``static/vendor/swagger-ui``,
copied from npm ``swagger-ui-dist`` by ``web/build_swagger_ui.sh``) and references no other
host (its Content-Security-Policy allows only this server), so it works offline.

Assumptions: one process; the run directory's files are immutable once ``COMPLETE`` exists
(they are cached by path, size and modification time); scenario uploads must use the
embedded ephemerides (a path in an upload would read the server's files).
"""
from __future__ import annotations

import json
import os
import re
import threading
import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError

RUN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_DIR = STATIC_DIR / "vendor" / "swagger-ui"
#: /docs: Swagger UI from this server only; its page starts it with one inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
CESIUM_ENV = "GYRFALCON_CESIUM_DIR"

#: The page's Content-Security-Policy: everything from this server only (Cesium's workers
#: and WebAssembly decoders included), no inline script. ``'unsafe-eval'``: Cesium.js (IIFE
#: build) evaluates a string once at load (a bundled library's global-object lookup);
#: ``blob:`` scripts: Cesium's workers start from a blob that imports the worker script.
VIEWER_CSP = ("default-src 'self'; script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
              "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' data: blob:; "
              "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


RunName = Annotated[str, PathParam(pattern=RUN_NAME_PATTERN, max_length=64,
                                   description="a run directory name (the scenario's name)")]
EventId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="an event id (GET /api/manifest/events)")]
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="a job id from POST /api/runs")]
LastS = Annotated[float, Query(gt=0, le=86400.0, description="how long before the chaser's last sample [s]")]
AtQ = Annotated[str | None, Query(max_length=40, description="an instant, ISO 8601 UTC")]
DateQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="a UTC day: the station at its end")]
IsoQ = Annotated[str, Query(min_length=4, max_length=40, description="ISO 8601 UTC")]


class RunFile(str, Enum):
    timeline = "timeline.json"
    czml = "flight.czml"
    chaser_oem = "chaser.oem"
    station_oem = "station.oem"
    report = "report.html"
    scenario = "scenario.toml"


MEDIA_TYPES = {
    RunFile.timeline: "application/json", RunFile.czml: "application/json",
    RunFile.chaser_oem: "text/plain; charset=utf-8", RunFile.station_oem: "text/plain; charset=utf-8",
    RunFile.report: "text/html; charset=utf-8", RunFile.scenario: "text/plain; charset=utf-8",
}
STATION_COPY_PATTERN = r"(target|return)-ephemeris(\.[A-Za-z0-9]{1,5}){0,2}"
"""The station data a run copied beside its ``scenario.toml`` (which names them):
``target-ephemeris.<ext>`` and ``return-ephemeris.<ext>``
(:func:`gyrfalcon.mission.outdir.copy_station_files`)."""
RUN_FILE_PATTERN = "^(" + "|".join(re.escape(f.value) for f in RunFile) + "|" + STATION_COPY_PATTERN + ")$"
RunFileName = Annotated[str, PathParam(pattern=RUN_FILE_PATTERN, max_length=64,
                                       description="an output file of the run: " + ", ".join(f.value for f in RunFile)
                                       + ", or the station data copied with its scenario (target-ephemeris.*, "
                                       "return-ephemeris.*)")]


def station_copies(root: Path) -> list:
    """Names of the station data copies (:data:`STATION_COPY_PATTERN`) that are regular files
    directly inside the run folder ``root``, sorted."""
    try:
        names = sorted(p.name for p in Path(root).iterdir())
    except OSError:
        return []
    return [n for n in names if re.fullmatch(STATION_COPY_PATTERN, n) and is_servable(root, n)]


def _copy_media_type(name: str) -> str:
    return "application/gzip" if name.endswith(".gz") else "text/plain; charset=utf-8"


# --- schema ------------------------------------------------------------------------------------
class Problem(BaseModel):
    detail: str
    rule: str | None = None


class TimelineEventOut(BaseModel):
    name: str
    utc: str
    met_s: float
    phase: str
    notes: str = ""


class Timeline(BaseModel):
    launch_utc: str | None
    insertion_utc: str | None
    contact_utc: str | None
    landing_utc: str | None
    total_dv_mps: float | None
    seed: int
    events: list[TimelineEventOut]
    notes: list[str] = []
    station: dict | None = None      # the target station's report (Station.to_dict)


class RunSummary(BaseModel):
    name: str
    launch_utc: str | None
    contact_utc: str | None
    landing_utc: str | None
    files: list[str]


class LvlhTrack(BaseModel):
    """Chaser position relative to the station in the station's LVLH frame (CCSDS: x along
    track / V-bar, y minus orbit normal, z toward the Earth / R-bar) [m]."""

    utc: list[str]
    x_m: list[float]
    y_m: list[float]
    z_m: list[float]


class ManifestEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["launch", "arrival", "departure", "relocation", "capture", "berth", "hold", "release",
                  "crew_change"]
    t_utc: str = Field(min_length=10, max_length=40, description="ISO 8601 UTC, e.g. 2026-03-22T10:00:00Z")
    vehicle: str = Field(min_length=1, max_length=128)
    port: str | None = Field(None, max_length=64)
    pad: str | None = Field(None, max_length=64)
    crew: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field([], max_length=12)
    notes: str = Field("", max_length=2000)
    vehicle_type: str | None = Field(None, max_length=64, description="registers a new vehicle, e.g. soyuz-ms")


class ManifestEventOut(BaseModel):
    id: int | None
    t_utc: str
    kind: str
    vehicle: str
    port: str | None
    pad: str | None
    crew: list[str]
    notes: str
    version: int | None = None


class ManifestMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    t_utc: str | None = Field(None, min_length=10, max_length=40, description="new time, ISO 8601 UTC")
    port: str | None = Field(None, max_length=64, description="new target port")
    pad: str | None = Field(None, max_length=64, description="new launch pad")


class MilestoneOut(BaseModel):
    t_utc: str
    kind: str
    text: str


class OccupancyOut(BaseModel):
    t_utc: str
    date: str
    ports: dict[str, str | None]
    arm: str | None
    occupied_count: int
    crew_aboard: list[str]
    seats: dict[str, str]
    milestones: list[MilestoneOut]
    vehicle_types: dict[str, str | None] = Field(default_factory=dict, description="vehicle -> its type "
                                                 "(soyuz-ms, progress-ms, ...), for every vehicle on a port")
    note: str | None = Field(None, description="for a date after the manifest's last event: later departures "
                             "are in it only if recorded; for a date before the built-in record is complete (2025-10-29): "
                             "what the occupancy cannot say, and the station's ports that day")


class PortIntervalOut(BaseModel):
    port: str
    vehicle: str
    vehicle_type: str
    from_utc: str
    to_utc: str | None


MAX_STATION_CHARS = 3_000_000
"""Longest ``station_oem`` / ``station_tle`` text [characters]: a whole NASA ISS OEM (718-787 kB,
15 days at 4-min steps) fits, with room to spare."""
MAX_STATION_BYTES = 16 * 1024 * 1024
"""Largest station file once a gzip upload (base64) is decompressed [bytes]."""
MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest request body [bytes] (4 MiB): a scenario and a whole NASA OEM, JSON-escaped."""


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario_toml: str = Field(min_length=1, max_length=65536, description="a scenario file's text (TOML)")
    station_oem: str | None = Field(None, max_length=MAX_STATION_CHARS, description="the station's ephemeris as "
                                    "CCSDS OEM text (KVN or XML), or a gzip file as base64, instead of the embedded "
                                    "NASA file (as --station-oem); up to 3,000,000 characters (a whole NASA ISS OEM "
                                    "is about 0.8 MB)")
    station_tle: str | None = Field(None, max_length=MAX_STATION_CHARS, description="the station's element sets as "
                                    "text (TLEs or an OMM JSON/CSV/XML/KVN series), or a gzip file as base64; the "
                                    "orbit is fitted to the sets dated before the launch, never after (as "
                                    "--station-tle); up to 3,000,000 characters")


class JobOut(BaseModel):
    id: str
    run: str
    state: Literal["queued", "running", "done", "failed"]
    phases: dict[str, str]
    error: str | None
    created_utc: str
    finished_utc: str | None
    warnings: list[str] = []
    """What the check before queueing warned of, as ``gyrfalcon scenario check`` prints it (station
    data age, element sets left out, a what-if's rules); the run's timeline repeats them."""


class Health(BaseModel):
    status: Literal["ok"]
    gyrfalcon: str
    cesium: str | None
    runs_dir: str
    """The run folder's name only (its full path is the server's business, not a client's)."""


# --- configuration -----------------------------------------------------------------------------
@dataclass
class WebConfig:
    """Server settings. ``token``: the write token (see :mod:`gyrfalcon.web.security`);
    ``db``: manifest store path or URL (None: the user's default; a missing SQLite file is
    created and filled with the built-in late-2025 manifest)."""

    out_dir: Path
    token: str
    db: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    read_rate_per_s: float = 2000.0
    read_burst: float = 4000.0
    write_rate_per_min: float = 30.0
    write_burst: float = 10.0
    auth_fail_rate_per_min: float = 10.0
    auth_fail_burst: float = 10.0
    max_pending_jobs: int = 2
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]", "::1")
    cesium_dir: Path | None = None


def cesium_dir(cfg: WebConfig | None = None) -> Path:
    """Where the CesiumJS build is: ``cfg.cesium_dir``, ``$GYRFALCON_CESIUM_DIR``, or the packaged one."""
    if cfg is not None and cfg.cesium_dir is not None:
        return Path(cfg.cesium_dir)
    env = os.environ.get(CESIUM_ENV)
    return Path(env) if env else STATIC_DIR / "vendor" / "cesium"


class NotServable(Exception):
    """A path that is not a regular file inside the directory it should be in."""


def read_regular_file(root: Path, name: str) -> tuple[bytes, os.stat_result]:
    """The bytes of ``root/name`` if, with every link resolved, it is a regular file directly
    inside ``root`` (itself resolved); else :class:`NotServable`.

    The resolved path is opened with ``O_NOFOLLOW`` (a link swapped in after the check is
    refused) and ``O_NONBLOCK`` (a FIFO cannot hang the server), and the open descriptor must
    be a regular file.
    """
    import stat as st_mod

    root = Path(root).resolve(strict=True)
    try:
        real = (root / name).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a link loop
        raise NotServable(name) from None
    if real.parent != root:
        raise NotServable(name)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except OSError:
        raise NotServable(name) from None
    try:
        st = os.fstat(fd)
        if not st_mod.S_ISREG(st.st_mode):
            raise NotServable(name)
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def is_servable(root: Path, name: str) -> bool:
    """Whether ``root/name`` resolves to a regular file directly inside ``root``."""
    import stat as st_mod

    try:
        real = (Path(root) / name).resolve(strict=True)
        return real.parent == Path(root).resolve() and st_mod.S_ISREG(real.stat().st_mode)
    except (OSError, RuntimeError):
        return False


class _FileCache:
    """Bytes of small immutable files, keyed by (path, size, mtime); read with
    :func:`read_regular_file` (only regular files inside their run directory)."""

    def __init__(self, max_entries: int = 256):
        self._d: dict = {}
        self._lock = threading.Lock()
        self.max = max_entries

    def read(self, path: Path) -> bytes:
        if not is_servable(path.parent, path.name):
            raise NotServable(path.name)
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        hit = self._d.get(key)
        if hit is not None:
            return hit
        data, st2 = read_regular_file(path.parent, path.name)
        key = (str(path), st2.st_size, st2.st_mtime_ns)
        with self._lock:
            if len(self._d) >= self.max:
                self._d.clear()
            self._d[key] = data
        return data


def _allowed_methods(request) -> str:
    """The methods some route of the app takes at the request's path (every route there, not only
    the first that matched it, which is all Starlette's own ``Allow`` names)."""
    from starlette.routing import Match

    methods = {m for r in request.app.router.routes if r.matches(request.scope)[0] == Match.PARTIAL
               for m in (getattr(r, "methods", None) or ())}
    return ", ".join(sorted(methods - {"HEAD"}))


def _problem(status: int, detail: str, rule: str | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "rule": rule}, status_code=status)


R401 = {401: {"model": Problem, "description": "no or wrong bearer token"}}
R404 = {404: {"model": Problem, "description": "no such run"}}
R422 = {422: {"model": Problem, "description": "invalid input (the reason is in detail)"}}
R429 = {429: {"model": Problem, "description": "rate limit: retry after Retry-After seconds"}}
R413 = {413: {"model": Problem, "description": "request body too large"}}


def create_app(cfg: WebConfig) -> FastAPI:
    """The FastAPI application for ``cfg`` (see the module docstring)."""
    from .jobs import JobQueue
    from .security import GuardMiddleware, HostCheckMiddleware, token_matches

    out_dir = Path(cfg.out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = _FileCache()
    jobs = JobQueue(out_dir, max_pending=cfg.max_pending_jobs)
    store_box: dict = {}
    store_lock = threading.Lock()
    cdir = cesium_dir(cfg)
    cesium_version = (cdir / "VERSION").read_text().strip() if (cdir / "VERSION").is_file() else None
    try:
        from importlib.metadata import version

        gyr_version = version("gyrfalcon")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        gyr_version = "unknown"

    def store():
        with store_lock:
            s = store_box.get("store")
            if s is None:
                from ..traffic.store import ManifestStore, resolve_url

                url = resolve_url(cfg.db)
                fresh = url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file()
                s = ManifestStore(cfg.db)
                if fresh:
                    from ..traffic.store import AlreadyLoadedError

                    try:
                        s.load_builtin()
                    except AlreadyLoadedError:  # another process initialised it meanwhile
                        pass
                store_box["store"] = s
            return s

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        yield
        jobs.shutdown()
        s = store_box.pop("store", None)
        if s is not None:
            s.close()

    app = FastAPI(title="Gyrfalcon", version=gyr_version, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Mission runs (timelines, CZML, OEM, reports), background runs and the station "
                              "manifest. Writes need `Authorization: Bearer <token>`.")
    app.state.config = cfg
    app.state.jobs = jobs
    app.add_middleware(HostCheckMiddleware, allowed_hosts=list(cfg.allowed_hosts))
    app.add_middleware(GuardMiddleware, max_body_bytes=cfg.max_body_bytes, read_rate_per_s=cfg.read_rate_per_s,
                       read_burst=cfg.read_burst, write_rate_per_min=cfg.write_rate_per_min,
                       write_burst=cfg.write_burst, token=cfg.token,
                       auth_fail_rate_per_min=cfg.auth_fail_rate_per_min, auth_fail_burst=cfg.auth_fail_burst,
                       limit_hint=": POST /api/runs holds scenario_toml (up to 65,536 characters) and station_oem or "
                                  f"station_tle (up to {MAX_STATION_CHARS:,} characters); send a shorter station file "
                                  "(or the file gzipped, as base64)")

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp

    def require_token(request: Request) -> None:
        if not token_matches(cfg.token, request.headers.get("authorization")):
            from .security import AUTH_REQUIRED

            raise HTTPException(401, AUTH_REQUIRED, headers={"WWW-Authenticate": "Bearer"})

    _add_error_handlers(app)
    _add_run_reading_routes(app, out_dir, cache, jobs, gyr_version, cesium_version)
    _add_manifest_routes(app, store, require_token)
    _add_run_start_route(app, out_dir, jobs, require_token)
    _add_docs_and_viewer(app, cdir)
    return app


def _add_error_handlers(app) -> None:
    """Every error as JSON ``{"detail", "rule"}``: HTTP errors, a stale If-Match (412), input
    errors (422, with the broken rule), the tool's own failures (503), request validation (422)."""
    from starlette.exceptions import HTTPException as AnyHTTPException     # FastAPI's own raise this one

    @app.exception_handler(AnyHTTPException)
    async def _http_exc(request: Request, exc: AnyHTTPException):
        detail = exc.detail
        if exc.status_code == 400 and detail == "There was an error parsing the body":   # FastAPI's own
            detail = ("the request body could not be read as JSON (nested too deeply?); send one JSON object "
                      "with Content-Type: application/json (see /docs)")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:         # Starlette's bare "Method Not Allowed": say which methods work
            allowed = _allowed_methods(request)
            detail = f"{request.method} is not allowed on {request.url.path}; use {allowed} (see /docs)"
            headers["Allow"] = allowed     # Starlette's names only the first route that matched the path
        return JSONResponse({"detail": detail, "rule": None}, status_code=exc.status_code, headers=headers or None)

    from ..traffic.store import StaleVersionError

    @app.exception_handler(StaleVersionError)
    async def _stale_exc(request: Request, exc: StaleVersionError):
        return JSONResponse({"detail": f"event #{exc.event_id} is at version {exc.actual} (ETag "
                                       f"{_etag(exc.event_id, exc.actual)}), not the version in If-Match; it was "
                                       "changed since you read it: GET it again and decide again", "rule": None},
                            status_code=412, headers={"ETag": _etag(exc.event_id, exc.actual)})

    @app.exception_handler(InputError)
    async def _input_exc(request: Request, exc: InputError):
        return _problem(422, str(exc), getattr(exc, "rule", None))

    from ..errors import GyrfalconError

    @app.exception_handler(GyrfalconError)
    async def _gyr_exc(request: Request, exc: GyrfalconError):
        # not the caller's fault (e.g. the manifest database is locked or unreadable)
        return _problem(503, str(exc))

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _validation_exc(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        first = errs[0] if errs else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":      # a cut or malformed body: say where, and what works
            at = next((x for x in first.get("loc", ())[1:] if isinstance(x, int)), None)
            at_text = "" if at is None else f" (at character {at})"
            return _problem(422, f"the request body is not valid JSON{at_text}; send one JSON object with "
                                 "Content-Type: application/json (see /docs)")
        where = ".".join(str(x) for x in first.get("loc", ()))
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
        return _problem(422, f"{where}: {_what_works(first)}{more}")


#: What a path or query value must be, in words (pydantic's own message quotes the pattern).
_PARAM_WORDS = {
    ("path", "run"): "not a run name; a run is named by letters, digits, '.', '_', '-' (up to 64); list them "
                     "at /api/runs",
    ("path", "name"): "not a file a run writes; use " + ", ".join(f.value for f in RunFile)
                      + ", or the station data copied with the scenario (target-ephemeris.*, return-ephemeris.*)",
    ("path", "job_id"): "not a job id; a job id is the 32 hexadecimal digits POST /api/runs returns",
    ("path", "event_id"): "not an event id; an event id is a whole number from 1 (list them at "
                          "GET /api/manifest/events)",
    ("query", "last_s"): "give a number of seconds, 0 < last_s <= 86400",
    ("query", "date"): "give a UTC day as YYYY-MM-DD",
}


def _what_works(err: dict) -> str:
    """The message of one validation error, naming what would work where pydantic's does not."""
    loc = tuple(err.get("loc", ()))
    if loc[:2] in _PARAM_WORDS:
        return _PARAM_WORDS[loc[:2]]
    if loc == ("body",) and err.get("type") in ("missing", "dict_type", "model_attributes_type"):
        return "send one JSON object with Content-Type: application/json (see /docs)"
    return str(err.get("msg"))



def _add_run_reading_routes(app, out_dir: Path, cache, jobs, gyr_version, cesium_version) -> None:
    """``/api/health``, the finished runs (timeline, files, LVLH track) and the jobs."""
    from ..mission.outdir import is_complete      # a run folder's COMPLETE must be gyrfalcon's marker

    def run_dir(run: str) -> Path:
        if not re.fullmatch(RUN_NAME_PATTERN, run):
            raise HTTPException(422, f"run name {run!r} is not a run name; use letters, digits, '.', '_', '-'")
        d = (out_dir / run)
        try:
            real = d.resolve(strict=True)
        except (FileNotFoundError, OSError):
            raise HTTPException(404, f"no run named {run!r}; list the runs at /api/runs") from None
        if real.parent != out_dir or real.name != run or not real.is_dir() or not is_complete(real):
            raise HTTPException(404, f"no finished run named {run!r}; list the runs at /api/runs")
        return real

    # --- reading -----------------------------------------------------------------------------
    @app.get("/api/health", response_model=Health, responses=R429, tags=["meta"])
    def health():
        return {"status": "ok", "gyrfalcon": gyr_version, "cesium": cesium_version, "runs_dir": Path(out_dir).name}

    @app.head("/api/health", include_in_schema=False)      # a read, as the security layer counts it
    def health_head():
        return Response(status_code=200)

    @app.get("/api/runs", response_model=list[RunSummary], responses=R429, tags=["runs"])
    def list_runs():
        out = []
        for d in sorted(out_dir.iterdir()):
            if d.name.startswith(".") or not re.fullmatch(RUN_NAME_PATTERN, d.name):
                continue
            try:
                real = d.resolve(strict=True)
            except OSError:
                continue
            if real.parent != out_dir or real.name != d.name or not is_complete(real):   # a link to a run: listed once
                continue
            try:
                tl = json.loads(cache.read(real / "timeline.json"))
            except (OSError, ValueError, NotServable):
                continue
            keys = ("launch_utc", "contact_utc", "landing_utc")    # a run writes all three (null if not reached)
            times = {k: tl[k] for k in keys if k in tl} if isinstance(tl, dict) else {}
            if len(times) != len(keys) or not all(v is None or isinstance(v, str) for v in times.values()):
                continue                  # a timeline not written by a run: that folder is not listed
            files = [f.value for f in RunFile if is_servable(real, f.value)] + station_copies(real)
            out.append({"name": d.name, **times, "files": files})
        return out

    @app.get("/api/runs/{run}/timeline", response_model=Timeline, responses={**R404, **R422, **R429},
             tags=["runs"])
    def run_timeline(run: RunName):
        p = run_dir(run) / "timeline.json"
        try:
            return Response(cache.read(p), media_type="application/json")
        except NotServable:
            raise HTTPException(404, f"run {run!r} has no timeline.json (or it is not a regular file in the "
                                     "run folder)") from None

    @app.get("/api/runs/{run}/files/{name}", responses={**R404, **R422, **R429, 200: {
        "content": {"application/json": {}, "text/plain": {}, "text/html": {}},
        "description": "the file as written by the run"}}, tags=["runs"], response_class=Response)
    def run_file(run: RunName, name: RunFileName):
        p = run_dir(run) / name
        try:
            data = cache.read(p)
        except NotServable:
            raise HTTPException(404, f"run {run!r} has no {name} (the scenario turned it off?), or it is "
                                     "not a regular file inside the run folder") from None
        headers = {}
        if name == RunFile.report.value:
            from ..mission.report import CSP

            headers["Content-Security-Policy"] = CSP
        kind = next((f for f in RunFile if f.value == name), None)
        return Response(data, media_type=MEDIA_TYPES[kind] if kind is not None else _copy_media_type(name),
                        headers=headers)

    @app.get("/api/runs/{run}/lvlh", response_model=LvlhTrack, responses={**R404, **R422, **R429},
             tags=["runs"])
    def run_lvlh(run: RunName, last_s: LastS = 3600.0):
        d = run_dir(run)
        if not is_servable(d, "chaser.oem") or not is_servable(d, "station.oem"):
            raise HTTPException(404, f"run {run!r} has no chaser.oem/station.oem to compute LVLH from")
        try:
            return lvlh_track(d / "chaser.oem", d / "station.oem", last_s)
        except InputError as exc:         # the run's files by their names in the run, not the server's path
            raise type(exc)(str(exc).replace(f"{d}{os.sep}", f"{run}/")) from None

    @app.get("/api/jobs", response_model=list[JobOut], responses=R429, tags=["runs"])
    def list_jobs():
        return [j.as_dict() for j in jobs.list()]

    @app.get("/api/jobs/{job_id}", response_model=JobOut, responses={**R404, **R422, **R429}, tags=["runs"])
    def get_job(job_id: JobId):
        j = jobs.get(job_id)
        if j is None:
            raise HTTPException(404, f"no job {job_id}; list them at /api/jobs")
        return j.as_dict()



def _add_manifest_routes(app, store, require_token) -> None:
    """The station manifest: events, occupancy, port intervals; adding, moving and removing events
    (writes behind the token, changes behind If-Match)."""
    @app.get("/api/manifest/events", response_model=list[ManifestEventOut], responses={**R429}, tags=["manifest"])
    def manifest_events():
        return [e.as_dict() for e in store().events()]

    @app.get("/api/manifest/occupancy", response_model=OccupancyOut, responses={**R422, **R429},
             tags=["manifest"])
    def manifest_occupancy(at: AtQ = None, date: DateQ = None):
        if (at is None) == (date is None):
            raise HTTPException(422, "give exactly one of at=<ISO UTC instant> or date=<YYYY-MM-DD>")
        m = store().manifest()
        occ = m.occupancy_at(at) if at is not None else m.occupancy_on(date)
        from ..traffic.builtin import occupancy_view

        return occupancy_view(m, occ)         # as `traffic show --json` gives it

    @app.get("/api/manifest/intervals", response_model=list[PortIntervalOut], responses={**R422, **R429},
             tags=["manifest"])
    def manifest_intervals(start: IsoQ, end: IsoQ):
        from ..traffic.manifest import normalise_time
        from ..traffic.whatif import port_intervals

        a, b = normalise_time(start), normalise_time(end)
        if b <= a:
            raise HTTPException(422, f"end {end} is not after start {start}; give start < end")
        s = store()
        out = []
        for iv in port_intervals(s.events(), s.vehicles()):
            if iv.from_utc < b and (iv.to_utc is None or iv.to_utc > a):
                out.append({"port": iv.port, "vehicle": iv.vehicle, "vehicle_type": iv.vehicle_type,
                            "from_utc": iv.from_utc, "to_utc": iv.to_utc})
        return out

    # --- writing -----------------------------------------------------------------------------
    @app.post("/api/manifest/events", response_model=ManifestEventOut, status_code=201,
              responses={**R401, **R413, **R422, **R429}, dependencies=[Depends(require_token)],
              tags=["manifest"])
    def manifest_add(ev: ManifestEventIn, response: Response):
        e = store().add_event(ev.kind, ev.t_utc, ev.vehicle, port=ev.port, pad=ev.pad, crew=ev.crew,
                              notes=ev.notes, vehicle_type=ev.vehicle_type)
        response.headers["ETag"] = _etag(e.id, e.version)
        return e.as_dict()

    R412 = {412: {"model": Problem, "description": "If-Match names a version that is no longer stored"},
            428: {"model": Problem, "description": "no If-Match header: GET the event and send its ETag"}}

    def expected_version(event_id: int, if_match: str | None) -> int | None:
        if if_match is None or not if_match.strip():
            raise HTTPException(428, f"changing event #{event_id} needs 'If-Match: <ETag>' with the ETag of GET "
                                     f"/api/manifest/events/{event_id} (or 'If-Match: *' to change whatever is stored)")
        tags = [t.strip() for t in if_match.split(",")]
        if "*" in tags:
            return None
        for tag in tags:
            m = re.fullmatch(r'(?:W/)?"(\d+)\.(\d+)"', tag)
            if m and int(m.group(1)) == event_id:
                return int(m.group(2))
        if any(re.fullmatch(r'(?:W/)?"\d+\.\d+"', t) for t in tags):
            raise HTTPException(412, f"If-Match {if_match} names no version of event #{event_id}; GET "
                                     f"/api/manifest/events/{event_id} for its ETag")
        raise HTTPException(422, f"If-Match {if_match!r} is not an ETag of this API (\"<id>.<version>\") or *")

    @app.get("/api/manifest/events/{event_id}", response_model=ManifestEventOut,
             responses={**R404, **R422, **R429}, tags=["manifest"])
    def manifest_event(event_id: EventId, response: Response):
        e = _event_or_404(store(), event_id)
        response.headers["ETag"] = _etag(e.id, e.version)
        return e.as_dict()

    @app.patch("/api/manifest/events/{event_id}", response_model=ManifestEventOut,
               responses={**R401, **R404, **R412, **R413, **R422, **R429}, dependencies=[Depends(require_token)],
               tags=["manifest"])
    def manifest_move(event_id: EventId, mv: ManifestMoveIn, response: Response,
                      if_match: Annotated[str | None, Header(max_length=200)] = None):
        expect = expected_version(event_id, if_match)
        if mv.t_utc is None and mv.port is None and mv.pad is None:      # the store's words are the CLI's
            raise HTTPException(422, f"moving event #{event_id} needs a new t_utc, port or pad in the body "
                                     '(e.g. {"t_utc": "2026-03-22T10:00:00Z"})')
        s = store()
        _event_or_404(s, event_id)
        e = s.move_event(event_id, mv.t_utc, port=mv.port, pad=mv.pad, expect_version=expect)
        response.headers["ETag"] = _etag(e.id, e.version)
        return e.as_dict()

    @app.delete("/api/manifest/events/{event_id}", response_model=ManifestEventOut,
                responses={**R401, **R404, **R412, **R422, **R429}, dependencies=[Depends(require_token)],
                tags=["manifest"])
    def manifest_remove(event_id: EventId, if_match: Annotated[str | None, Header(max_length=200)] = None):
        expect = expected_version(event_id, if_match)
        s = store()
        _event_or_404(s, event_id)
        return s.remove_event(event_id, expect_version=expect).as_dict()



def _add_run_start_route(app, out_dir: Path, jobs, require_token) -> None:
    """``POST /api/runs``: a scenario (with an uploaded station file, if any), checked, then queued."""
    from .jobs import JobLimitError, RunExistsError

    @app.post("/api/runs", response_model=JobOut, status_code=202,
              responses={**R401, **R413, **R422, **R429, 409: {"model": Problem, "description":
                                                                "a run with that name exists or is queued"},
                         503: {"model": Problem, "description": "too many runs queued"}},
              dependencies=[Depends(require_token)], tags=["runs"])
    def start_run(req: RunRequest):
        req = req.model_copy(update={"scenario_toml": req.scenario_toml.removeprefix("\ufeff")})
        upload = None
        if req.station_oem is not None or req.station_tle is not None:
            sc, upload = attach_station(req.scenario_toml, req.station_oem, req.station_tle, out_dir)
        else:
            sc = validate_upload(req.scenario_toml)
        try:
            warnings = refuse_rules_breach(sc, upload)  # what `scenario check` refuses, in its words (422)
        except Exception:
            if upload is not None:           # the run will not read it
                upload.unlink(missing_ok=True)
            raise
        try:
            job = jobs.submit(sc, req.scenario_toml, upload=upload, warnings=warnings)
        except (RunExistsError, JobLimitError) as exc:
            if upload is not None:           # the run will not read it
                upload.unlink(missing_ok=True)
            return _problem(409 if isinstance(exc, RunExistsError) else 503, str(exc))
        return job.as_dict()



def _add_docs_and_viewer(app, cdir: Path) -> None:
    """The API docs and the CesiumJS viewer, from local assets (503 with the build command when
    they are not installed)."""
    # --- the API docs, from local assets -----------------------------------------------------
    @app.get("/docs", include_in_schema=False)
    def api_docs():
        from fastapi.openapi.docs import get_swagger_ui_html

        if not (SWAGGER_DIR / "swagger-ui-bundle.js").is_file():
            return HTMLResponse("<!DOCTYPE html><title>Gyrfalcon API</title><p>Swagger UI is not installed at "
                                f"{SWAGGER_DIR}. Run <code>bash web/build_swagger_ui.sh</code> (npm), or read "
                                "<a href=\"/openapi.json\">/openapi.json</a>.</p>", status_code=503)
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title="Gyrfalcon API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})  # no badge from another host
        page.headers["Content-Security-Policy"] = DOCS_CSP
        page.headers["Cache-Control"] = "no-cache"
        return page

    if SWAGGER_DIR.is_dir():
        app.mount("/docs-assets", StaticFiles(directory=SWAGGER_DIR), name="docs-assets")

    # --- the viewer --------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index():
        if not (cdir / "Cesium.js").is_file():
            return HTMLResponse(
                "<!DOCTYPE html><title>Gyrfalcon</title><p>CesiumJS is not installed at "
                f"{cdir}. Run <code>bash web/build_cesium.sh</code> (npm) or set ${CESIUM_ENV}.</p>",
                status_code=503)
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": VIEWER_CSP, "Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR / "viewer"), name="static")
    if cdir.is_dir():
        app.mount("/cesium", StaticFiles(directory=cdir), name="cesium")


def _etag(event_id: int, version: int | None) -> str:
    """The ETag of a manifest event at ``version``: ``"<id>.<version>"``."""
    return f'"{int(event_id)}.{int(version or 0)}"'


def _event_or_404(store, event_id: int):
    from ..traffic.manifest import ManifestInputError

    try:
        return store.event(event_id)
    except ManifestInputError as exc:     # the store names its command-line and Python listings
        text = str(exc).split("; list them with", 1)[0]
        raise HTTPException(404, f"{text}; list them at GET /api/manifest/events") from None


def refuse_rules_breach(scenario, upload: Path | None = None) -> tuple[str, ...]:
    """Refuse before queueing (InputError -> 422 ``{"detail", "rule"}``) what ``gyrfalcon scenario
    check`` refuses and ``gyrfalcon run`` refuses before flying, in the same one line
    (:func:`gyrfalcon.mission.runner.rules_before_flight` inside
    :func:`gyrfalcon.refusals.completed_scheme_refusals`, as both commands call it): at the liftoff the
    run would fly, the launch geometry first (the pad near the scheme's plane, then the phase at
    insertion: :func:`~gyrfalcon.mission.runner.launch_plane`, a launcher limit refused even for a
    what-if), then the station rules (port occupied or absent on the date, pad out of service,
    too many crew; ``rule`` names the rule broken), unless the scenario is a what-if; each refusal
    completed as the command line completes it (the nearest launch that fits, the station data's
    age, the pads in service). The station is the one :func:`~gyrfalcon.mission.runner.
    target_station` reads (cached: :func:`validate_upload` / :func:`attach_station` read it first),
    ``upload`` the saved station upload, if any: a message names it by its request field, never by
    the server's path.

    A scenario that searches its window (no ``launch.time``) is searched here too, as ``scenario
    check`` searches it: measured on a 2-core machine (Dec 2026), the search and the checks take
    0.03-0.3 s for the packaged station data (the MS-28 default; a 10-day search that finds no
    window: 0.27 s) and at most 1.3 s for a 60-day ``auto`` search on an uploaded TLE series,
    whose fit (2.4-4 s, done before this by :func:`attach_station`) is the greater cost, against
    about 15 s for the flight. Cheap enough to refuse a scenario before it takes a place in the
    queue rather than to fail its job later (with the same line); the job searches again (the
    runner finds the same window).

    Returns the warnings ``scenario check`` prints for an accepted scenario: the station data's
    (staleness, element sets left out, ...) and a what-if's notes. The run repeats them in its
    ``timeline.json`` ``notes`` (``station: ...``) and ``station.warnings``
    (``GET /api/runs/{run}/timeline``); the job carries them (``JobOut.warnings``). A refusal is
    the one line alone, as on the command line.

    A launch the runner cannot fly as asked (no window found, a return the station data cannot
    serve: :class:`~gyrfalcon.mission.runner.MissionError`, a time outside the data:
    :class:`~gyrfalcon.errors.EphemerisRangeError`) is the request's fault here: 422, not 503.
    """
    from ..refusals import completed_scheme_refusals
    from ..errors import EphemerisRangeError
    from ..mission.runner import MissionError, rules_before_flight, target_station

    source = "<upload>"         # the upload's path is absolute: no other path is read from it
    try:
        station = target_station(scenario, source)
        with completed_scheme_refusals():      # worded as `run` and `scenario check` word them
            _, notes = rules_before_flight(scenario, source)
    except (InputError, MissionError, EphemerisRangeError) as exc:
        text = str(exc) if upload is None else scrub_upload_path(str(exc), upload)
        if isinstance(exc, InputError) and text == str(exc):
            raise
        refusal = InputError(text)
        refusal.rule = getattr(exc, "rule", None)
        raise refusal from None
    warnings = tuple(station.warnings) + tuple(notes)
    return warnings if upload is None else tuple(scrub_upload_path(w, upload) for w in warnings)


def validate_upload(text: str, target_ephemeris: str | None = None):
    """An uploaded scenario, validated before anything runs (raises InputError -> 422).

    Besides :func:`gyrfalcon.mission.scenario.parse_scenario`'s checks, an upload must use the
    embedded ephemerides: a file path would make the server read its own files.
    ``target_ephemeris``: the saved station upload that replaces ``target.ephemeris`` (the launch
    date is then checked against it, not against the embedded ephemeris).
    """
    from ..mission.scenario import EMBEDDED, ScenarioError, parse_scenario

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"<upload>: not valid TOML ({exc}); see `gyrfalcon scenario init` for a template") from None
    # an uploaded station (station_oem / station_tle) replaces target.ephemeris, as --station-tle does
    for section in ("return", "return_") if target_ephemeris is not None else ("target", "return", "return_"):
        sec = raw.get(section)
        if isinstance(sec, dict) and "ephemeris" in sec and sec["ephemeris"] != EMBEDDED:
            raise ScenarioError(f"<upload>: {section}.ephemeris: an uploaded scenario cannot name a file "
                                f"({sec['ephemeris']!r}); use \"{EMBEDDED}\" and upload the station as station_oem "
                                "or station_tle (it replaces target.ephemeris), or run it with `gyrfalcon run`")
    try:
        sc = parse_scenario(text, "<upload>", target_ephemeris=target_ephemeris)
    except ScenarioError as exc:
        if target_ephemeris is None and "target.ephemeris" in str(exc):     # the station for another date
            raise ScenarioError(f"{exc} (on the web API: upload it as station_oem or station_tle)") from None
        raise
    if sc.dispersions:              # checked as `gyrfalcon run` and `scenario check` check it
        from ..scale.dispersions import parse_dispersions

        parse_dispersions(sc.dispersions, "<upload>")
    return sc


def attach_station(scenario_text: str, oem_text: str | None, tle_text: str | None, out_dir: Path):
    """``(scenario, path)``: the scenario with ``target.ephemeris`` set to an uploaded station
    source saved at ``path`` (raises InputError -> 422 when it does not parse or does not serve
    the launch; nothing is then left). The run's job deletes the file when it ends.

    ``scenario_text``: the uploaded TOML, validated here with the station in place, so that a
    flight outside the embedded ephemeris (e.g. of 2021) is checked against the uploaded station.
    The text is saved under a server-chosen name in
    ``<out>/.station-uploads/`` (atomically) and checked by
    :func:`gyrfalcon.orbits.station_source.load_station` for the run to read.
    """
    import os
    import tempfile
    import uuid

    from ..errors import InputError
    from ..mission.runner import check_return_file_before_flight, check_station_serves_launch, target_station

    if oem_text is not None and tle_text is not None:
        raise InputError("give either station_oem or station_tle, not both")
    field = "station_oem" if oem_text is not None else "station_tle"
    text = _maybe_gunzip(oem_text if oem_text is not None else tle_text, field)
    from ..mission.outdir import UPLOAD_DIR

    d = out_dir / UPLOAD_DIR
    d.mkdir(exist_ok=True)
    path = d / f"{uuid.uuid4().hex}.{'oem' if oem_text is not None else 'txt'}"
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    from ..orbits.station_source import sniff

    try:
        kind = sniff(path)
        if (kind == "oem") != (oem_text is not None):
            raise InputError("station_oem must hold an OEM and station_tle TLEs or OMM records "
                             f"(this text reads as {kind.upper()})")
        sc = validate_upload(scenario_text, target_ephemeris=str(path))
        # parse and check now: a bad upload, or one that does not reach the launch, fails here, not in the run
        check_station_serves_launch(sc, target_station(sc, str(path)).ephemeris("GCRF"))
        check_return_file_before_flight(sc, str(path))     # a landing day only the upload can serve
    except InputError as exc:
        path.unlink(missing_ok=True)
        raise InputError(scrub_upload_path(str(exc), path)) from None   # the client's field, not the server's path
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return sc, path


def upload_label(path) -> str:
    """How messages returned to the client name a station upload: its request field."""
    return f"{'station_oem' if str(path).endswith('.oem') else 'station_tle'} (uploaded)"


def scrub_upload_path(text: str, path) -> str:
    """``text`` with the server's path of a station upload replaced by :func:`upload_label`."""
    p = Path(path)
    for form in {str(p.resolve()), str(p)}:
        text = text.replace(form, upload_label(p))
    return text


def _maybe_gunzip(text: str, field: str) -> str:
    """The station text, or the text of a gzip file sent as base64 (it starts ``H4sI``), at most
    :data:`MAX_STATION_BYTES` once decompressed."""
    if not text.lstrip()[:4] == "H4sI":
        return text
    import base64
    import binascii
    import gzip
    import io
    import zlib

    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            data = f.read(MAX_STATION_BYTES + 1)
    except (binascii.Error, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{field}: starts like a gzip file in base64 but does not decode ({exc}); send the "
                         "file's text, or the gzip file base64-encoded whole") from None
    if len(data) > MAX_STATION_BYTES:
        raise InputError(f"{field}: the gzip file holds more than {MAX_STATION_BYTES:,} bytes; send a shorter "
                         "station file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{field}: the gzip file does not hold UTF-8 text; send an OEM, TLE or OMM text file") from None


def lvlh_track(chaser_oem: Path, station_oem: Path, last_s: float) -> dict:
    """The chaser relative to the station in LVLH over the chaser's last ``last_s`` seconds.

    Both OEMs are read as GCRF; the station is interpolated (Hermite) at the chaser's
    sample times; :func:`gyrfalcon.frames.relative_state`'s rotation (CCSDS LVLH) is applied.
    """
    import numpy as np

    from ..frames import lvlh_matrix
    from ..io.oem import load_oem
    from ..time import add_seconds, iso_utc, seconds_between

    ch = load_oem(chaser_oem).ephemeris("GCRF", max_error_m=None)   # samples used as they are
    st = load_oem(station_oem).ephemeris("GCRF")
    t_s = np.asarray(ch.t_s, float)
    keep = t_s >= t_s[-1] - float(last_s)
    t_s = t_s[keep]
    s_off = float(seconds_between(st.epoch, ch.epoch))
    s_t = t_s + s_off
    inside = (s_t >= float(st.t_s[0])) & (s_t <= float(st.t_s[-1]))
    t_s, s_t = t_s[inside], s_t[inside]
    if len(t_s) == 0:
        raise InputError("the station OEM does not cover the chaser's last samples; cannot compute LVLH")
    r_c = np.asarray(ch.r_m, float)[keep][inside]
    r_s, v_s = st.interpolate(s_t)
    rho = np.array([lvlh_matrix(r_s[k], v_s[k]) @ (r_c[k] - r_s[k]) for k in range(len(t_s))])
    times = add_seconds(ch.epoch, t_s)
    utc = [iso_utc(times[k], places=3) for k in range(len(t_s))]
    return {"utc": utc, "x_m": rho[:, 0].tolist(), "y_m": rho[:, 1].tolist(), "z_m": rho[:, 2].tolist()}
