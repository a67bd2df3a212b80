"""
Your own scenario
=================

A mission is a scenario: a TOML file (``gyrfalcon scenario init my-flight.toml`` writes a
commented template) or the same data in Python. :func:`gyrfalcon.load_scenario` starts from the
packaged Soyuz MS-28 and replaces what you give; everything is validated as a file would be.

Here: a cargo flight in Soyuz MS-28's place: a Progress MS from the same pad in the first
feasible two-orbit window from 27 Nov 2025 (its ascent leads the plane by a little less than a
Soyuz's, so its liftoff differs by seconds), docking at Poisk, with a 30 s Kurs dropout ten
minutes into the approach, and no cabin fault at the pad.

On that day Poisk is taken (Progress MS-31 is docked there), so the station rules refuse the
flight: the scenario asks for a **what-if** (``what_if = true``) and every output then says so.
"""

# %%
import gyrfalcon as gf

scenario = gf.load_scenario(
    name="progress-test",
    title="A Progress MS to Poisk",
    vehicle={"spacecraft": "progress-ms", "name": "Progress MS-99"},
    crew={"names": [], "callsign": ""},
    launch={"first_feasible_after": "2025-11-27", "search_days": 2},
    rendezvous={"scheme": "two-orbit"},
    docking={"port": "poisk-zenith"},
    faults={"countdown": [], "kurs_dropout": [{"start_s": 600, "duration_s": 30}]},
    return_={"enabled": False},
)

# %%
# Flown as asked, the station rules refuse it in one line that says how to ask for a what-if:
try:
    gf.run_mission(scenario)
except gf.GyrfalconError as exc:
    print(exc)

# %%
scenario = gf.load_scenario(scenario, what_if=True)
print(gf.api.scenario_text(scenario))

# %%
# A wrong key or value is one clear error that says what is allowed:
try:
    gf.load_scenario(docking={"port": "cupola"})
except gf.GyrfalconError as exc:
    print(exc)

# %%
mission = gf.run_mission(scenario)
print(mission.table())

# %%
fig = mission.plot("altitude-phase")
