"""
A Monte Carlo of the approach
=============================

One flight is one draw. :func:`gyrfalcon.monte_carlo` flies the same scenario many times with
the errors a real flight meets: insertion dispersions, burn execution errors, Kurs noise and
biases, atmospheric density, and the station's ephemeris error. Runs of a chunk fly together
(heyoka batch mode and a vectorised approach), each with its own seed, so a run's outcome does
not depend on how many are flown.

Sixteen runs keep this page quick; ``gyrfalcon montecarlo --runs 10000 --workers 4`` is the
same call at scale.
"""

# %%
import gyrfalcon as gf

campaign = gf.monte_carlo(runs=16, seed=7)
campaign

# %%
# Capture rate and the percentiles of the rendezvous delta-v, contact delay and more:
print(campaign.summary_table())

# %%
# The dispersions used (the scenario's ``[dispersions]`` table):
print(campaign.dispersions)

# %%
# ``campaign.table`` holds one row per flight (a pyarrow Table; ``runs.parquet`` on disk), in SI
# units (the plane tilts in radians: 1e-4 rad is 0.006 deg), to four significant figures:
rows = campaign.table.slice(0, 4).to_pylist()
for row in rows:
    print({k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in list(row.items())[:8]})

# %%
fig = campaign.plot()
