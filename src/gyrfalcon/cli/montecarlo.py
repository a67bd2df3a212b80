"""``gyrfalcon montecarlo [SCENARIO] --runs N [--workers K] [--scheduler tcp://HOST:PORT]``: a dispersed campaign."""
from __future__ import annotations

from pathlib import Path

import typer

from .common import handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("montecarlo")
    @handle_errors
    def montecarlo(
        scenario: Path = typer.Argument(None, help="Scenario TOML (default: the embedded Soyuz MS-28); its "
                                        "[dispersions] table is used.", show_default=False),
        runs: int = typer.Option(100, "--runs", min=1, help="Number of dispersed flights."),
        workers: int = typer.Option(1, "--workers", min=1, max=1024, help="Local Dask worker processes (1: this process)."),
        scheduler: str = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler, "
                                      "e.g. tcp://10.0.0.5:8786 (then --workers is ignored)."),
        seed: int = typer.Option(None, "--seed", min=0, help="Campaign seed, >= 0 (default: dispersions.seed)."),
        dispersions: Path = typer.Option(None, "--dispersions", help="TOML file with a [dispersions] table "
                                         "(instead of the scenario's)."),
        chunk: int = typer.Option(None, "--chunk", min=1, help="Runs per task (flown together by the batch "
                                  "engines; default: about 4 tasks per worker, 64..2048 runs each)."),
        out: str = typer.Option("gyrfalcon-montecarlo", "--out", help="Output directory (runs.parquet, "
                                 "summary.json, report.html, chunks/, campaign.json; an existing folder must be empty or a campaign "
                                 "of gyrfalcon's: the same campaign resumes, a finished other one is replaced once the new one is complete)."),
        json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM) instead of the scenario's target.ephemeris."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file (or CSV of TLE lines) or OMM JSON/CSV/XML series instead of the scenario's target.ephemeris (sets dated after the launch are never used)."),
        what_if: bool = typer.Option(False, "--what-if", help="Fly it even if it breaks a station rule (port taken, "
                                     "pad out of service), as what_if = true in the scenario (as `run --what-if`)."),
    ):
        """Fly N dispersed flights (insertion, burns, Kurs, density, ISS ephemeris) and summarise them.

        The output folder keeps one Parquet file per finished chunk and the campaign's parameters
        (campaign.json): a killed campaign run again with the same parameters resumes from its
        finished chunks (same result, bit for bit). COMPLETE is written last."""
        import math
        import sys

        from ..mission.scenario import default_scenario_text, parse_scenario
        from ..scale.campaign import auto_chunk_size
        from ..scale.campaign import check_campaign_memory
        from .checks import check_output_folder, check_reachable, check_seed, input_file, read_text

        # every check before the nominal is planned (about 6 s) or a cluster is started
        check_seed(seed)
        check_output_folder(out, "--out", kind="campaign")
        if scenario is None:
            text, source = default_scenario_text(), "<embedded soyuz-ms-28.toml>"
        else:
            input_file(scenario, "scenario", "give a scenario .toml path (`gyrfalcon scenario init FILE` writes one)")
            try:
                text = scenario.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                from ..errors import InputError

                raise InputError(f"scenario {scenario} is not UTF-8 text; give a TOML scenario file") from None
            source = str(scenario)
        from .station_opts import station_path

        station = station_path(station_oem, station_tle)   # replaces target.ephemeris before the date checks
        sc = parse_scenario(text, source, target_ephemeris=station)   # parsed once, here; the engine takes the object
        if what_if:
            sc = sc.model_copy(update={"what_if": True})
        if sc.dispersions is not None and dispersions is None:
            from ..scale.dispersions import parse_dispersions

            parse_dispersions(sc.dispersions, source)   # a bad table fails here, before the nominal
        disp = None
        if dispersions is not None:
            from ..scale.dispersions import dispersions_file_text

            disp = dispersions_file_text(read_text(dispersions, "--dispersions", "no dispersions file there; give a TOML "
                                               "file with a [dispersions] table"), str(dispersions))
        if scheduler is not None:
            check_reachable(scheduler, "--scheduler", default_port=8786)
        size = chunk or auto_chunk_size(runs, 1 if (scheduler is None and workers == 1) else max(2, workers))
        check_campaign_memory(runs, workers, size, local=scheduler is None,
                              hint="give fewer --runs or --workers, or a smaller --chunk")
        kw = dict(source=source, dispersions=disp, campaign_seed=seed, workers=workers, scheduler=scheduler,
                  chunk_size=chunk, title=f"Monte Carlo: {source}, {runs} runs", _size=size)
        from ..refusals import completed_scheme_refusals
        from .station_opts import station_option_named

        # a scheme refusal with the pad's part and the nearest launch that fits, as `run` says it
        with completed_scheme_refusals(), station_option_named(station_oem, station_tle):
            res, resumed, summ = _campaign(sc, runs, out, kw, json_out or not sys.stderr.isatty())
        from .station_opts import print_warnings

        print_warnings(res.warnings)      # stale data, a planned burn before the flight: as `run` notes them
        for n in res.nominal.rule_notes:  # a what-if: the station rules it breaks, as `run` says them
            typer.echo(f"note: {n}", err=True)
        if json_out:
            print_json(summ)
        else:
            s = res.summary
            typer.echo(f"station: {res.station}")
            aborted = sum(n for cause, n in s.failures if cause.startswith("abort"))
            from ..scale.report import rate_text

            delay = s.contact_delay_p_s[1]
            typer.echo(f"{s.runs} runs, captured {s.captured} ({rate_text(s)}), aborted {aborted}; rendezvous dv "
                       "p5/p50/p95/p99 " + " / ".join(f"{x:.2f}" for x in s.rendezvous_dv_p_mps) + " m/s; contact "
                       f"delay p50 {'-' if math.isnan(delay) else f'{delay:.1f} s'}; failures {dict(s.failures) or 'none'}; "
                       f"{res.wall_s:.1f} s ({(runs - resumed) / max(res.wall_s, 1e-9):.2f} runs/s"
                       + (f", {resumed} runs resumed from finished chunks" if resumed else "")
                       + f"); written to {out}/")


def _campaign(sc, runs, out, kw, quiet):
    """``run_campaign_in_folder`` with a progress bar on a terminal (``quiet``: without)."""
    from ..scale.campaign import chunks, run_campaign_in_folder

    size = kw.pop("_size")
    if quiet:
        return run_campaign_in_folder(sc, runs, out, **kw)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    n_chunks = len(chunks(runs, size))
    with Progress(TextColumn("flights"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[chunk]}"),
                  TimeElapsedColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task("runs", total=runs, chunk=f"0/{n_chunks} chunks")
        state = {"chunks": 0}

        def progress(done, total):
            state["chunks"] += 1
            bar.update(task, completed=done, chunk=f"{min(state['chunks'], n_chunks)}/{n_chunks} chunks")

        return run_campaign_in_folder(sc, runs, out, progress=progress, **kw)


