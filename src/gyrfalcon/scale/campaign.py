"""Monte Carlo campaigns: chunks of dispersed flights, in one process or on a Dask cluster.

:func:`run_campaign` makes the nominal plan once (:func:`~.flight.build_nominal`), splits the
run indices ``0..N-1`` into chunks of ``chunk_size`` and flies each chunk
(:func:`run_chunk`): in this process (``workers=1``, no scheduler), on a local
``dask.distributed`` cluster of ``workers`` processes (or threads, ``processes=False``), or on
an existing cluster (``scheduler="tcp://host:port"``). Every run depends only on the nominal
(sent to the workers once) and on ``(campaign seed, run index)``, and the table is assembled
in run order, so the table and its summary are the same bit for bit whatever the worker
count, chunk size or scheduler. A worker lost mid-campaign loses only the chunks it held:
Dask re-runs them elsewhere (``retries`` more on top, for errors raised by a chunk).

The table (:mod:`pyarrow`, one row per run, columns :data:`~.flight.RUN_COLUMNS`) is written
as Parquet by :func:`write_parquet`; :func:`~.report.summarize` reduces it.

The scenario is parsed once, at the edge (:func:`run_campaign` takes a parsed Scenario or its
TOML text); the nominal carries the parsed object to the workers.

:func:`run_campaign_in_folder` is the resumable form ``gyrfalcon montecarlo`` uses: every finished
chunk is a Parquet file (written atomically) beside a manifest of the campaign's parameters
(``campaign.json``); a killed campaign started again with the same parameters flies only the
missing chunks, and the result is the same bit for bit; a folder holding an unfinished campaign
with other parameters is refused (two campaigns never mix); ``COMPLETE`` is written last.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from ..errors import InputError

__all__ = ["CampaignResult", "run_campaign", "run_campaign_in_folder", "run_chunk", "to_table", "write_parquet",
           "chunks", "CampaignFolderError"]


@dataclass(frozen=True)
class CampaignResult:
    """A campaign: the per-run ``table`` (pyarrow.Table), its ``summary``
    (:class:`~.report.Summary`), the nominal (:class:`~.flight.Nominal`), the dispersions,
    campaign seed, run count and the wall time [s] of the runs (without the nominal)."""

    table: object
    summary: object
    nominal: object
    dispersions: object
    campaign_seed: int
    runs: int
    wall_s: float = field(compare=False)
    """Wall time of the runs [s]; not compared: two runs of the same campaign are equal."""
    workers: int = field(compare=False)
    warnings: tuple = ()
    """The station loader's warnings for this flight (stale data, a planned burn between the data
    and the flight, ...), as ``gyrfalcon run`` gives them in its notes."""
    station: str = ""
    """How the station trajectory was obtained: its source, the drag scale fitted and the fit rms
    (:meth:`~gyrfalcon.orbits.station_source.Station.describe`)."""


def chunks(runs: int, chunk_size: int) -> list:
    """Run index ranges ``[(start, stop), ...]`` covering ``0..runs-1``.

    >>> chunks(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    if runs < 1 or chunk_size < 1:
        raise InputError(f"runs ({runs}) and chunk_size ({chunk_size}) must be >= 1")
    return [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]


ROW_BYTES = 4000
"""Memory per run of the assembled table (Python row dicts and the Arrow table) [bytes], generous."""
CHUNK_RUN_BYTES = 400_000
"""Working memory per run of a chunk in flight (batch integrator lanes, approach arrays) [bytes], generous."""
WORKER_BYTES = 400_000_000
"""Memory of a local Dask worker process with the compiled integrators loaded [bytes]."""


def check_campaign_memory(runs: int, workers: int, chunk_size: int, *, local: bool = True,
                          hint: str = "give fewer runs or workers") -> None:
    """Refuse, before any work, a campaign whose estimated memory (the assembled table, the chunks
    in flight, the local worker processes) exceeds what the machine has
    (:func:`gyrfalcon.resources.check_memory`); also more than
    :data:`~gyrfalcon.resources.MAX_LOCAL_WORKERS` local workers."""
    from ..resources import MAX_LOCAL_WORKERS, check_memory

    if local and workers > MAX_LOCAL_WORKERS:
        raise InputError(f"{workers} local workers: at most {MAX_LOCAL_WORKERS}; {hint}")
    n_work = workers if local else 1
    check_memory(ROW_BYTES * runs + CHUNK_RUN_BYTES * min(chunk_size, runs) * n_work
                 + (WORKER_BYTES * workers if local and workers > 1 else 0),
                 f"a campaign of {runs} runs ({workers} local workers, {min(chunk_size, runs)} runs per chunk)", hint)


def auto_chunk_size(runs: int, workers: int) -> int:
    """Runs per task when none is given. In this process (``workers`` 1): about four chunks
    (progress moves per chunk and a killed campaign resumes from its finished ones), but 500..2048
    runs each (the batch engines' per-step overhead is spread over the runs of a chunk: 250-run
    chunks ran at 79 runs/s, 1000-run ones at 149, bench/README.md; little gain beyond ~2000), so
    a campaign of up to 500 runs is one chunk (a few seconds). On a cluster: about four tasks per
    worker (balance, progress, and a killed worker costs little), 64..2048 runs each.

    >>> auto_chunk_size(10000, 2), auto_chunk_size(10000, 1), auto_chunk_size(1000, 1), auto_chunk_size(100, 2)
    (1250, 2048, 500, 64)
    >>> auto_chunk_size(100, 1), auto_chunk_size(4000, 1)
    (100, 1000)
    """
    if workers <= 1:
        return int(min(2048, max(500, math.ceil(runs / 4)), max(1, runs)))
    return int(min(2048, max(64, math.ceil(runs / (4 * workers)))))


def warm_up(scenario, source: str, approach: bool = True) -> float:
    """Load what a worker's first chunk needs (the scenario, the station ephemeris, the compiled
    batch integrator and approach kernels, from heyoka's disk cache when built before); returns
    the seconds it took. A worker runs it while the client plans the nominal."""
    import time

    from ..orbits.propagator import batch_lanes
    from .flight import _dynamics, _station

    t = time.perf_counter()
    sc = scenario
    _station(sc, source)
    _dynamics(sc.vehicle.spacecraft).compiled((), thrust=True, batch_size=batch_lanes())
    if approach:
        from ..proximity import kernels

        kernels.ekf_update(), kernels.ekf_predict(), kernels.truth_step()
    return time.perf_counter() - t


def run_chunk(nominal, dispersions, campaign_seed: int, start: int, stop: int, approach: bool = True,
              batch: bool = True) -> list:
    """Fly runs ``start..stop-1``: a list of row dicts (see :func:`gyrfalcon.scale.flight.fly_run`).

    ``batch``: fly the chunk's approaches together (:func:`gyrfalcon.scale.flight.fly_runs`, the
    vectorised :mod:`gyrfalcon.proximity.batch`); False: one scalar approach per run."""
    from .dispersions import draw_run
    from .flight import fly_run, fly_runs

    n_b = len(nominal.x_nom)
    draws = [draw_run(dispersions, campaign_seed, i, n_burns=n_b) for i in range(start, stop)]
    if batch:
        return fly_runs(nominal, draws, approach=approach)
    return [fly_run(nominal, d, approach=approach) for d in draws]


def to_table(rows: list):
    """Rows (dicts) -> a pyarrow Table with the columns of :data:`~.flight.RUN_COLUMNS`, sorted by run."""
    import pyarrow as pa

    from .flight import RUN_COLUMNS

    rows = sorted(rows, key=lambda r: r["run"])
    types = {"run": pa.int64(), "campaign_seed": pa.int64(), "approach_seed": pa.int64(), "verdict": pa.string(),
             "captured": pa.bool_(), "failure": pa.string(), "contact_utc": pa.string()}
    cols = {}
    for c in RUN_COLUMNS:
        t = types.get(c, pa.float64())
        cols[c] = pa.array([r.get(c) for r in rows], type=t)
    return pa.table(cols)


def write_parquet(table, path) -> None:
    """Write the campaign table as Parquet (zstd)."""
    import pyarrow.parquet as pq

    pq.write_table(table, str(path), compression="zstd")


def run_campaign(scenario, runs: int, *, source: str = "<embedded>", dispersions=None,
                 campaign_seed: int | None = None, workers: int = 1, scheduler: str | None = None,
                 processes: bool = True, chunk_size: int | None = None, approach: bool = True, nominal=None,
                 progress: Callable[[int, int], None] | None = None, retries: int = 1, batch: bool = True,
                 chunk_store=None) -> CampaignResult:
    """Fly ``runs`` dispersed flights of a scenario (a parsed Scenario, or its TOML text, parsed
    here once; its ``[dispersions]`` table is used unless ``dispersions`` is given) and summarise
    them. ``progress(done_runs, runs)`` after each chunk. ``batch``: approaches of a chunk flown
    together (vectorised, :func:`run_chunk`); a run's row is the same whatever the chunk size.
    ``chunk_store``: an object with ``load(start, stop) -> rows | None`` and ``save(start, stop,
    rows)`` (finished chunks are loaded instead of flown; new ones saved as they finish)."""
    import time

    from .dispersions import Dispersions, parse_dispersions
    from .flight import as_scenario, build_nominal

    sc_full = _parse(scenario, source)
    sc = as_scenario(sc_full, source)
    if dispersions is None:
        dispersions = parse_dispersions(sc_full.dispersions, source) if sc_full.dispersions else Dispersions()
    seed = int(dispersions.seed if campaign_seed is None else campaign_seed)
    if seed < 0:
        raise InputError(f"campaign seed {seed}: a seed is an integer >= 0")
    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}")
    local = scheduler is None and workers == 1
    if chunk_size is None:
        chunk_size = auto_chunk_size(int(runs), 1 if local else max(2, int(workers)))
    prog = progress or (lambda done, total: None)
    rows, todo = _stored_chunks(chunks(int(runs), int(chunk_size)), chunk_store)
    if rows:
        prog(len(rows), runs)
    save = (lambda a, b, r: chunk_store.save(a, b, r)) if chunk_store is not None else (lambda a, b, r: None)
    t0 = time.perf_counter()
    if not todo or local:
        if nominal is None:
            nominal = build_nominal(sc, source)
        for a, b in todo:
            part = run_chunk(nominal, dispersions, seed, a, b, approach, batch)
            save(a, b, part)
            rows += part
            prog(len(rows), runs)
    else:
        job = _DaskJob(sc, source, dispersions, seed, approach, batch, retries, save, rows, prog, int(runs))
        nominal, workers = job.fly(todo, nominal, scheduler, int(workers), processes)
    wall = time.perf_counter() - t0
    table = to_table(rows)
    # the dispersions as flown: their seed is the campaign's (a --seed overrides the file's)
    flown = dispersions.model_copy(update={"seed": seed}) if hasattr(dispersions, "model_copy") else dispersions
    return CampaignResult(table=table, summary=summarize_table(table), nominal=nominal, dispersions=flown,
                          campaign_seed=seed, runs=int(runs), wall_s=wall, workers=int(workers),
                          **station_report(sc, source))


def _stored_chunks(parts, chunk_store) -> tuple:
    """(rows of the chunks already in ``chunk_store``, the (start, stop) chunks still to fly)."""
    rows, todo = [], []
    for a, b in parts:
        got = chunk_store.load(a, b) if chunk_store is not None else None
        if got is not None:
            rows += got
        else:
            todo.append((a, b))
    return rows, todo


@dataclass
class _DaskJob:
    """The chunks of one campaign flown on a Dask cluster (a local one, or ``scheduler``'s); rows are
    appended to ``rows`` and saved as the chunks finish. Private to :func:`run_campaign`."""

    sc: object
    source: str
    dispersions: object
    seed: int
    approach: bool
    batch: bool
    retries: int
    save: Callable
    rows: list
    progress: Callable
    runs: int

    def fly(self, todo, nominal, scheduler, workers: int, processes: bool) -> tuple:
        """Fly ``todo``: (the nominal, the number of workers that flew)."""
        client, cluster = _dask_client(scheduler, workers, processes)
        try:
            # the workers load their integrators, kernels and the station while the nominal is planned here
            addrs = list(client.scheduler_info().get("workers", {}))
            warm = [client.submit(warm_up, self.sc, self.source, self.approach, workers=[w], pure=False,
                                  allow_other_workers=True) for w in addrs]
            if nominal is None:
                from .flight import build_nominal

                nominal = build_nominal(self.sc, self.source)
            self._gather(client, nominal, todo)
            for w in warm:
                w.cancel()
            workers = len(client.scheduler_info().get("workers", {})) or workers
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return nominal, workers

    def _submit(self, client, nom_f, a, b):
        return client.submit(run_chunk, nom_f, self.dispersions, self.seed, a, b, self.approach, self.batch,
                             retries=self.retries, pure=False)

    def _gather(self, client, nominal, todo) -> None:
        """Submit every chunk and take the results as they come; a chunk whose worker was killed
        (taking the scattered nominal with it) is re-run after scattering the nominal again."""
        from concurrent.futures import CancelledError

        from distributed import as_completed

        nom_f = client.scatter(nominal, broadcast=True)
        futs = {self._submit(client, nom_f, a, b): (a, b) for a, b in todo}
        # this client's own loop: by default as_completed takes the *current* client's, which (inside
        # another client's `with`) runs another loop; the futures' asyncio events would be bound to it
        # and `fut.result()` on a chunk lost with a killed worker fails ("bound to a different event loop")
        done = as_completed(list(futs), loop=client.loop)
        for fut in done:
            try:
                part = fut.result()
            except CancelledError:
                nom_f = client.scatter(nominal, broadcast=True)
                a, b = futs[fut]
                again = self._submit(client, nom_f, a, b)
                futs[again] = (a, b)
                done.add(again)
                continue
            self.save(*futs[fut], part)
            self.rows += part
            self.progress(len(self.rows), self.runs)


def _dask_client(scheduler, workers: int, processes: bool) -> tuple:
    """(Dask client, the local cluster it runs or None): a local cluster of ``workers`` processes,
    or the scheduler at ``scheduler`` (refused in one line when nothing answers there)."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=processes,
                               dashboard_address=None)
        return Client(cluster), cluster
    try:
        _probe_scheduler(scheduler)
        return Client(scheduler, timeout="10s"), None
    except Exception as exc:  # noqa: BLE001 - whatever answered there, it is not a Dask scheduler
        raise InputError(f"--scheduler {scheduler}: no Dask scheduler answered ({type(exc).__name__}: "
                         f"{str(exc)[:120]}); give the address 'dask scheduler' prints, e.g. "
                         "tcp://10.0.0.5:8786") from None


SCHEDULER_PROBE_S = 10.0
"""How long a ``--scheduler`` address has to answer Dask's identity call [s]."""


def _probe_scheduler(address: str, timeout_s: float | None = None) -> None:
    """Ask ``address`` who it is (Dask's ``identity`` call), bounded in time: a service that accepts
    the connection but is no Dask scheduler (a web server) would otherwise keep ``Client`` waiting
    for ever. Raises ``TimeoutError`` or ``ValueError`` when no scheduler answers."""
    import asyncio

    from distributed.core import rpc
    from distributed.security import Security     # TLS settings from the Dask config, as Client reads them

    timeout_s = SCHEDULER_PROBE_S if timeout_s is None else float(timeout_s)

    async def ask():
        r = rpc(address, timeout=timeout_s, connection_args=Security().get_connection_args("client"))
        try:
            return await r.identity()
        finally:
            await r.close_rpc()

    async def bounded():
        return await asyncio.wait_for(ask(), timeout_s)

    from concurrent.futures import ThreadPoolExecutor

    # a loop of its own in a thread: the caller may be inside a running event loop (a notebook)
    with ThreadPoolExecutor(1) as pool:
        try:
            who = pool.submit(asyncio.run, bounded()).result()
        except asyncio.TimeoutError:
            raise TimeoutError(f"no answer to Dask's identity call within {timeout_s:g} s") from None
    if not isinstance(who, dict) or who.get("type") != "Scheduler":
        raise ValueError(f"it answered as {who.get('type') if isinstance(who, dict) else type(who).__name__}, "
                         "not as a Dask scheduler")


def station_report(scenario, source: str = "<embedded>") -> dict:
    """The scenario's station data as the campaign reports it (:func:`gyrfalcon.mission.runner.target_station`,
    cached: the trajectory the nominal was planned on): ``station`` (source, drag fitted, fit rms)
    and the loader's ``warnings``, one string each."""
    from ..mission.runner import target_station

    st = target_station(scenario, source)
    return {"station": st.describe(), "warnings": tuple(st.warnings)}


def station_identity(scenario, source: str = "<embedded>") -> str:
    """What the campaign's station data are: ``"embedded"``, or the SHA-256 of the bytes of the
    scenario's ``target.ephemeris`` file (a changed file changes the campaign, whatever its path)."""
    import hashlib

    from ..mission.scenario import EMBEDDED, resolve_path

    eph = scenario.target.ephemeris
    if eph == EMBEDDED:
        return EMBEDDED
    try:
        data = resolve_path(source, eph).read_bytes()
    except OSError as exc:
        raise InputError(f"target.ephemeris {eph}: cannot read it ({exc.strerror or exc}); give a readable "
                         "station file") from None
    return hashlib.sha256(data).hexdigest()


def summarize_table(table):
    from .report import summarize

    return summarize(table)


def _parse(scenario, source: str):
    """A parsed Scenario (with its dispersions table) from a Scenario or TOML text."""
    from ..mission.scenario import Scenario, parse_scenario

    return scenario if isinstance(scenario, Scenario) else parse_scenario(str(scenario), source)


# ---------------------------------------------------------------------------------------------
# a campaign in an output folder: per-chunk files, manifest, resume, COMPLETE last
# ---------------------------------------------------------------------------------------------
MANIFEST_FILE = "campaign.json"
CHUNK_DIR = "chunks"
FOLDER_FORMAT = 2
"""Bumped whenever a run's row changes for the same parameters (2: the density scale's mean, the
Soyuz-FG insertion, the failure reasons), so an unfinished campaign of an older format is not
resumed with rows of another model."""
_OUR_FILES = ("runs.parquet", "summary.json", "report.html", MANIFEST_FILE)
PREVIOUS_DIR = ".gyrfalcon-previous"
"""Where a finished campaign being replaced waits (inside the folder) until the new one is complete."""


class CampaignFolderError(InputError):
    """An output folder that holds another, unfinished campaign (or is not the tool's)."""


def campaign_manifest(scenario, dispersions, campaign_seed: int, runs: int, chunk_size: int, approach: bool,
                      batch: bool, source: str = "<embedded>") -> dict:
    """The parameters that fix a campaign's rows (what a resumed campaign must share with the first),
    the station data's bytes included (``station_sha256``, :func:`station_identity`): the scenario
    text names the station file by its path only."""
    import hashlib

    from .. import __version__
    from .flight import as_scenario

    sc = as_scenario(scenario)
    return {"format": FOLDER_FORMAT, "gyrfalcon": __version__,
            "scenario_sha256": hashlib.sha256(sc.model_dump_json(by_alias=True).encode()).hexdigest(),
            "scenario_name": sc.name, "station_sha256": station_identity(sc, source), "dispersions": dispersions.model_dump(mode="json"),
            "campaign_seed": int(campaign_seed), "runs": int(runs), "chunk_size": int(chunk_size),
            "approach": bool(approach), "batch": bool(batch)}


def _differences(old: dict, new: dict) -> list:
    return [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


class FolderChunks:
    """Chunk files ``chunks/runs-START-STOP.parquet`` in a campaign folder (atomic writes)."""

    def __init__(self, folder):
        from pathlib import Path

        self.dir = Path(folder) / CHUNK_DIR
        self.dir.mkdir(exist_ok=True)
        self.loaded = 0

    def _path(self, a, b):
        return self.dir / f"runs-{a:09d}-{b:09d}.parquet"

    def load(self, a, b):
        import pyarrow.parquet as pq

        p = self._path(a, b)
        if not p.is_file():
            return None
        try:
            t = pq.read_table(str(p))
        except Exception:  # noqa: BLE001 - a damaged chunk file is flown again
            p.unlink(missing_ok=True)
            return None
        rows = t.to_pylist()
        if [r["run"] for r in rows] != list(range(a, b)):
            p.unlink(missing_ok=True)
            return None
        self.loaded += len(rows)
        return rows

    def save(self, a, b, rows):
        from ..mission.outdir import atomic_path

        with atomic_path(self._path(a, b)) as tmp:
            write_parquet(to_table(rows), tmp)


def run_campaign_in_folder(scenario, runs: int, out, *, source: str = "<embedded>", dispersions=None,
                           campaign_seed: int | None = None, chunk_size: int | None = None, workers: int = 1,
                           approach: bool = True, batch: bool = True, title: str | None = None, **kw):
    """:func:`run_campaign` into the folder ``out`` (created, or resumed): returns
    ``(CampaignResult, resumed_runs, summary_dict)``. Writes ``chunks/*.parquet`` as chunks finish, then
    ``runs.parquet``, ``summary.json``, ``report.html`` (each atomically) and ``COMPLETE`` last.

    ``out`` must be missing, empty or a campaign folder of ours: a finished campaign with other
    parameters is replaced (set aside, ``COMPLETE`` first, and deleted only once the new one is
    complete: interrupted or failed, the folder holds the finished campaign again), an unfinished
    one with other parameters is refused (:class:`CampaignFolderError`), one with the same
    parameters resumed. A second process writing the same folder is refused (lock)."""
    import shutil
    from pathlib import Path

    from ..mission import outdir as od
    from .dispersions import Dispersions, parse_dispersions
    from .flight import as_scenario, build_nominal

    out = od.check_output_folder(Path(out), "--out")
    sc_full = _parse(scenario, source)
    if dispersions is None:
        dispersions = parse_dispersions(sc_full.dispersions, source) if sc_full.dispersions else Dispersions()
    seed = int(dispersions.seed if campaign_seed is None else campaign_seed)
    # the nominal flight first (its station, window and station rules): a campaign refused there
    # leaves the folder, and a finished campaign in it, as they were
    nominal = kw.pop("nominal", None) or build_nominal(as_scenario(sc_full, source), source)
    created = _claim_campaign_folder(out)
    with od.OutputLock(out):
        _restore_previous(out)        # a replacement killed before it finished: the finished one comes back
        old = _read_manifest(out)
        if chunk_size is None and old is not None and old.get("runs") == int(runs):
            chunk_size = old.get("chunk_size")
        if chunk_size is None:
            chunk_size = auto_chunk_size(int(runs), 1 if (workers == 1 and kw.get("scheduler") is None)
                                         else max(2, int(workers)))
        new = campaign_manifest(sc_full, dispersions, seed, runs, chunk_size, approach, batch, source)
        store = None
        try:       # the set-aside of a finished campaign too: interrupted half-way, it is undone below
            _resume_or_replace(out, old, new, sc_full)
            store = FolderChunks(out)
            res = run_campaign(sc_full, runs, source=source, dispersions=dispersions, campaign_seed=seed,
                               chunk_size=chunk_size, workers=workers, approach=approach, batch=batch,
                               chunk_store=store, nominal=nominal, **kw)
            summ = _write_campaign_outputs(out, res, store, sc_full, title or f"Monte Carlo: {source}, {runs} runs")
        except BaseException as exc:
            restored = _restore_previous(out)      # the finished campaign it was replacing, as it was
            removed = (not restored and created and (store is None or not any(store.dir.iterdir())))
            if removed:                            # nothing run in a folder made here: leave nothing behind
                shutil.rmtree(out, ignore_errors=True)
            if isinstance(exc, KeyboardInterrupt) and not removed:
                raise KeyboardInterrupt(
                    f"{out} holds the finished campaign it held before, as it was" if restored else
                    f"the finished chunks stay in {out}: the same command resumes from them") from None
            raise
        shutil.rmtree(out / PREVIOUS_DIR, ignore_errors=True)
    return res, store.loaded, summ


def _claim_campaign_folder(out) -> bool:
    """Create ``out`` (or take an existing empty one) and mark it ours; whether it was created here."""
    import os

    from ..mission import outdir as od

    out.parent.mkdir(parents=True, exist_ok=True)
    created = False
    try:
        os.mkdir(out)
        created = True
    except FileExistsError:
        pass
    if not od.is_ours(out):
        if any(p.name != od.OWNER_FILE for p in out.iterdir()):
            od.check_output_folder(out, "--out")   # raises: filled meanwhile by someone else
        od.atomic_write_text(out / od.OWNER_FILE, "gyrfalcon montecarlo output\n")
    return created


def _read_manifest(out):
    """The campaign manifest in ``out`` (a dict), or None when there is none or it is unreadable."""
    import json

    mpath = out / MANIFEST_FILE
    if not mpath.is_file():
        return None
    try:
        return json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _resume_or_replace(out, old, new, sc_full) -> None:
    """Keep a campaign with the same parameters (resumed); refuse a finished `gyrfalcon run` and an
    unfinished campaign with other parameters (naming them); set a finished one with other
    parameters aside (:func:`_set_aside`: ``COMPLETE`` first, kept until the new one is complete),
    and write the new manifest."""
    import json

    from ..mission import outdir as od

    complete = od.is_complete(out)
    if old is None and complete and not (out / "runs.parquet").exists():
        raise CampaignFolderError(f"{out} holds a finished 'gyrfalcon run', not a campaign; give another --out")
    if old is not None and old != new:
        if not complete:
            if "station_sha256" in old and old["station_sha256"] != new["station_sha256"]:
                raise CampaignFolderError(
                    f"{out} holds an unfinished campaign flown with other station data (the station file "
                    f"{sc_full.target.ephemeris} changed or is another one since it began); give a new --out "
                    "(its finished runs cannot be mixed with runs on the new station data)")
            diff = ", ".join(f"{k} {old.get(k)!r} -> {new.get(k)!r}" for k in _differences(old, new)
                             if k != "dispersions") or "dispersions differ"
            raise CampaignFolderError(
                f"{out} holds an unfinished campaign with other parameters ({diff}); resume it with its "
                "parameters, or give another --out (two campaigns are never mixed in one folder)")
        old = None
    if old is None:
        # a finished campaign of ours (or nothing): set it aside, COMPLETE first
        _set_aside(out, keep=complete and (out / "runs.parquet").exists())
        od.atomic_write_text(out / MANIFEST_FILE, json.dumps(new, indent=2) + "\n")


def _campaign_files(out) -> list:
    """Our files in a campaign folder: ``COMPLETE`` first, the outputs, the chunks, the manifest last."""
    from ..mission import outdir as od

    head = [out / od.COMPLETE_FILE] + [out / name for name in _OUR_FILES if name != MANIFEST_FILE]
    return ([p for p in head if p.exists()] + sorted((out / CHUNK_DIR).glob("runs-*-*.parquet"))
            + [p for p in (out / MANIFEST_FILE,) if p.exists()])


def _set_aside(out, keep: bool) -> None:
    """Move our files into ``PREVIOUS_DIR`` (``keep``: a finished campaign being replaced, restored
    by :func:`_restore_previous` if the new one does not finish), else delete them. The manifest
    moves last: once it is in ``PREVIOUS_DIR`` every file of the finished campaign is."""
    import os
    import shutil

    prev = out / PREVIOUS_DIR
    shutil.rmtree(prev, ignore_errors=True)            # a stale one of ours, from a crash
    if keep:
        (prev / CHUNK_DIR).mkdir(parents=True)
    for p in _campaign_files(out):
        if keep:
            os.replace(p, prev / p.relative_to(out))
        else:
            p.unlink(missing_ok=True)


def _restore_previous(out) -> bool:
    """The set-aside finished campaign moved back (its ``COMPLETE`` last); whether there was one.
    If its set-aside was complete (its manifest moved), the files in ``out`` are the new
    campaign's and are deleted first; if it was cut short, they are the finished campaign's own
    files not yet moved, and stay."""
    import os
    import shutil

    from ..mission import outdir as od

    prev = out / PREVIOUS_DIR
    if not prev.is_dir():
        return False
    if (prev / MANIFEST_FILE).exists():
        for p in _campaign_files(out):
            p.unlink(missing_ok=True)
    back = sorted((q for q in prev.rglob("*") if q.is_file()), key=lambda q: q.name == od.COMPLETE_FILE)
    for q in back:
        os.replace(q, out / q.relative_to(prev))
    shutil.rmtree(prev, ignore_errors=True)
    return True


def _write_campaign_outputs(out, res, store, sc_full, title: str) -> dict:
    """``runs.parquet``, ``summary.json`` and ``report.html`` (each atomically), ``COMPLETE`` last;
    returns the summary written."""
    from ..io.jsontext import json_text
    from ..mission import outdir as od
    from .report import write_html

    (out / od.COMPLETE_FILE).unlink(missing_ok=True)
    with od.atomic_path(out / "runs.parquet") as tmp:
        write_parquet(res.table, tmp)
    summ = {**res.summary.to_dict(), "campaign_seed": res.campaign_seed, "wall_s": res.wall_s,
            "workers": res.workers, "nominal_contact_utc": res.nominal.nominal_contact_utc,
            "resumed_runs": store.loaded, "dispersions": res.dispersions.model_dump(mode="json"),
            "station": res.station, "station_warnings": list(res.warnings),
            "what_if": bool(sc_full.what_if), "rule_notes": list(res.nominal.rule_notes)}
    od.atomic_write_text(out / "summary.json", json_text(summ, indent=2) + "\n")
    with od.atomic_path(out / "report.html") as tmp:
        write_html(res, tmp, title=title)
    od.atomic_write_text(out / od.COMPLETE_FILE, "gyrfalcon montecarlo complete\n")
    return summ
