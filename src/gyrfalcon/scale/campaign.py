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
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..errors import InputError

__all__ = ["CampaignResult", "run_campaign", "run_chunk", "to_table", "write_parquet", "chunks"]


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
    wall_s: float
    workers: int


def chunks(runs: int, chunk_size: int) -> list:
    """Run index ranges ``[(start, stop), ...]`` covering ``0..runs-1``.

    >>> chunks(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    if runs < 1 or chunk_size < 1:
        raise InputError(f"runs ({runs}) and chunk_size ({chunk_size}) must be >= 1")
    return [(a, min(a + chunk_size, runs)) for a in range(0, runs, chunk_size)]


def auto_chunk_size(runs: int, workers: int) -> int:
    """Runs per task when none is given. In this process (``workers`` 1): up to 2048 runs per
    batch (the batch engines' per-step overhead is spread over more runs; they gain little beyond
    ~2000). On a cluster: about four tasks per worker (balance, progress, and a killed worker
    costs little), 64..2048 runs each.

    >>> auto_chunk_size(10000, 2), auto_chunk_size(10000, 1), auto_chunk_size(1000, 1), auto_chunk_size(100, 2)
    (1250, 2048, 1000, 64)
    """
    if workers <= 1:
        return int(min(2048, max(1, runs)))
    return int(min(2048, max(64, math.ceil(runs / (4 * workers)))))


def warm_up(scenario_text: str, source: str, approach: bool = True) -> float:
    """Load what a worker's first chunk needs (the scenario, the station ephemeris, the compiled
    batch integrator and approach kernels, from heyoka's disk cache when built before); returns
    the seconds it took. A worker runs it while the client plans the nominal."""
    import time

    from ..orbits.propagator import batch_lanes
    from .flight import _dynamics, _scenario, _station

    t = time.perf_counter()
    sc = _scenario(scenario_text, source)
    _station(scenario_text, source)
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


def run_campaign(scenario_text: str, runs: int, *, source: str = "<embedded>", dispersions=None,
                 campaign_seed: int | None = None, workers: int = 1, scheduler: str | None = None,
                 processes: bool = True, chunk_size: int | None = None, approach: bool = True, nominal=None,
                 progress: Callable[[int, int], None] | None = None, retries: int = 1, batch: bool = True) -> CampaignResult:
    """Fly ``runs`` dispersed flights of a scenario (its TOML text; a ``[dispersions]`` table in it is used
    unless ``dispersions`` is given) and summarise them. ``progress(done_runs, runs)`` after each chunk.
    ``batch``: approaches of a chunk flown together (vectorised, :func:`run_chunk`); a run's row is the
    same whatever the chunk size."""
    import time

    from .dispersions import Dispersions, parse_dispersions, split_scenario_text
    from .flight import build_nominal
    from .report import summarize

    sc_text, disp_text = split_scenario_text(scenario_text)
    if dispersions is None:
        dispersions = parse_dispersions(disp_text, source) if disp_text.strip() else Dispersions()
    seed = int(dispersions.seed if campaign_seed is None else campaign_seed)
    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}")
    local = scheduler is None and workers == 1
    if chunk_size is None:
        chunk_size = auto_chunk_size(int(runs), 1 if local else max(2, int(workers)))
    parts = chunks(int(runs), int(chunk_size))
    prog = progress or (lambda done, total: None)
    rows: list = []
    t0 = time.perf_counter()
    if local:
        if nominal is None:
            nominal = build_nominal(sc_text, source)
        for a, b in parts:
            rows += run_chunk(nominal, dispersions, seed, a, b, approach, batch)
            prog(len(rows), runs)
    else:
        from concurrent.futures import CancelledError

        from distributed import Client, LocalCluster, as_completed

        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=processes,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler)
        try:
            # the workers load their integrators, kernels and the station while the nominal is planned here
            addrs = list(client.scheduler_info().get("workers", {}))
            warm = [client.submit(warm_up, sc_text, source, approach, workers=[w], pure=False, allow_other_workers=True)
                    for w in addrs]
            if nominal is None:
                nominal = build_nominal(sc_text, source)
            nom_f = client.scatter(nominal, broadcast=True)
            futs = {client.submit(run_chunk, nom_f, dispersions, seed, a, b, approach, batch, retries=retries,
                                  pure=False): (a, b) for a, b in parts}
            done = as_completed(list(futs))
            for fut in done:
                try:
                    rows += fut.result()
                except CancelledError:  # a killed worker took the scattered nominal with it: scatter, re-run
                    nom_f = client.scatter(nominal, broadcast=True)
                    a, b = futs[fut]
                    again = client.submit(run_chunk, nom_f, dispersions, seed, a, b, approach, batch, retries=retries,
                                          pure=False)
                    futs[again] = (a, b)
                    done.add(again)
                    continue
                prog(len(rows), runs)
            for w in warm:
                w.cancel()
            workers = len(client.scheduler_info().get("workers", {})) or workers
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    wall = time.perf_counter() - t0
    table = to_table(rows)
    return CampaignResult(table=table, summary=summarize(table), nominal=nominal, dispersions=dispersions,
                          campaign_seed=seed, runs=int(runs), wall_s=wall, workers=int(workers))
