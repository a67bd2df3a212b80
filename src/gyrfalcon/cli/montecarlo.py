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
        workers: int = typer.Option(1, "--workers", min=1, help="Local Dask worker processes (1: this process)."),
        scheduler: str = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler, "
                                      "e.g. tcp://10.0.0.5:8786 (then --workers is ignored)."),
        seed: int = typer.Option(None, "--seed", help="Campaign seed (default: dispersions.seed)."),
        dispersions: Path = typer.Option(None, "--dispersions", help="TOML file with a [dispersions] table "
                                         "(instead of the scenario's)."),
        chunk: int = typer.Option(None, "--chunk", min=1, help="Runs per task (flown together by the batch "
                                  "engines; default: about 4 tasks per worker, 64..2048 runs each)."),
        out: Path = typer.Option(Path("gyrfalcon-montecarlo"), "--out", help="Output directory (runs.parquet, "
                                 "summary.json, report.html)."),
        json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM) instead of the scenario's target.ephemeris."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file or OMM JSON/CSV/XML series instead of the scenario's target.ephemeris (sets dated after the launch are never used)."),
    ):
        """Fly N dispersed flights (insertion, burns, Kurs, density, ISS ephemeris) and summarise them."""
        import json
        import sys

        from ..mission.scenario import default_scenario_text
        from ..scale.campaign import run_campaign, write_parquet
        from ..scale.dispersions import load_dispersions
        from ..scale.report import write_html

        if scenario is None:
            text, source = default_scenario_text(), "<embedded soyuz-ms-28.toml>"
        else:
            if not scenario.is_file():
                from ..errors import InputError

                raise InputError(f"no scenario file {str(scenario)!r}; give a scenario .toml path")
            text, source = scenario.read_text(encoding="utf-8"), str(scenario)
        from .station_opts import scenario_text_with_station, station_path

        station = station_path(station_oem, station_tle)
        if station is not None:
            text = scenario_text_with_station(text, station)
        disp = load_dispersions(dispersions) if dispersions is not None else None
        kw = dict(source=source, dispersions=disp, campaign_seed=seed, workers=workers, scheduler=scheduler,
                  chunk_size=chunk)
        if json_out or not sys.stderr.isatty():
            res = run_campaign(text, runs, **kw)
        else:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("flights"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=Console(stderr=True)) as bar:
                task = bar.add_task("runs", total=runs)
                res = run_campaign(text, runs, progress=lambda done, total: bar.update(task, completed=done), **kw)
        out.mkdir(parents=True, exist_ok=True)
        write_parquet(res.table, out / "runs.parquet")
        summ = {**res.summary.to_dict(), "campaign_seed": res.campaign_seed, "wall_s": res.wall_s,
                "workers": res.workers, "nominal_contact_utc": res.nominal.nominal_contact_utc}
        (out / "summary.json").write_text(json.dumps(summ, indent=2), encoding="utf-8")
        write_html(res, out / "report.html", title=f"Monte Carlo: {source}, {runs} runs")
        if json_out:
            print_json(summ)
        else:
            s = res.summary
            typer.echo(f"{s.runs} runs, captured {s.captured} ({100 * s.success_rate:.1f} % +- "
                       f"{100 * s.success_rate_stderr:.1f} %); rendezvous dv p5/p50/p95/p99 "
                       + " / ".join(f"{x:.2f}" for x in s.rendezvous_dv_p_mps) + " m/s; contact delay p50 "
                       f"{s.contact_delay_p_s[1]:.1f} s; failures {dict(s.failures) or 'none'}; "
                       f"{res.wall_s:.1f} s ({runs / res.wall_s:.2f} runs/s); written to {out}/")
