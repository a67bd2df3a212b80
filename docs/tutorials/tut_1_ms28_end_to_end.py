"""
Soyuz MS-28 end to end
======================

The flight the project is named after: Soyuz MS-28 ("Gyrfalcon") left Baikonur Site 31/6 on
27 Nov 2025 at 09:27:57 UTC, flew a two-orbit rendezvous and touched Rassvet's nadir port at
12:34:35 UTC. Its launch wrecked the pad's service cabin.

One call flies the packaged scenario: the first feasible two-orbit window, the countdown (with
the real cabin fault), the 3-DOF ascent, the targeted burns against NASA's ISS ephemeris, the
Kurs approach to contact, the station's manifest, and the return on 26 Jul 2026.
"""

# %%
import gyrfalcon as gf

mission = gf.run_mission()
mission

# %%
# The timeline, as ``gyrfalcon run`` prints it (UTC and mission elapsed time):
print(mission.table())

# %%
# Model against the real flight: the window search is given only the pad, the scheme and the
# station's ephemeris; NASA's planned launch and docking are answers, never inputs.
from gyrfalcon.time import parse_utc, seconds_between

real = {"launch": "2025-11-27T09:27:57.4Z", "contact": "2025-11-27T12:34:35Z"}
for what, model in (("launch", mission.launch_utc), ("contact", mission.contact_utc)):
    dt = float(seconds_between(parse_utc(real[what]), parse_utc(model)))
    print(f"{what:8s} model {model}   real {real[what]}   model - real {dt:+.1f} s")

# %%
# Each phase's own result is kept whole, with its own table: the rendezvous burns ...
print(mission.rendezvous.table())

# %%
# ... and the return.
print(mission.landing.table())

# %%
# The report's figures are one call each: the ground track ...
fig = mission.plot("ground-track")

# %%
# ... and the approach in the station's LVLH frame (rendezvous arc in km, proximity in m).
fig = mission.plot("lvlh")

# %%
# ``mission.save("out/ms-28")`` writes what ``gyrfalcon run`` writes: ``timeline.json``,
# ``report.html``, the chaser's and the station's CCSDS OEM, a CZML for the 3D viewer and the
# scenario as flown.
