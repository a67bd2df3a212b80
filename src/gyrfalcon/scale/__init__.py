"""Scale: dispersions, batch campaigns and Dask scale-out (Monte Carlo of whole flights).

* :mod:`.dispersions` -- the ``[dispersions]`` models (insertion, burns, Kurs, density, ISS
  ephemeris) and the per-run draws from ``SeedSequence(campaign seed, spawn_key=(run,))``;
* :mod:`.flight` -- the nominal plan with its guidance sensitivities, and one dispersed flight
  (guided rendezvous truth + closed-loop approach) -> a table row;
* :mod:`.campaign` -- chunks of runs in one process or on ``dask.distributed``; pyarrow table,
  Parquet;
* :mod:`.report` -- summary (success rate, delta-v percentiles, contact times, failure causes)
  and the HTML report.

Nothing heavy is imported here (``import gyrfalcon.scale`` is instant).
"""
