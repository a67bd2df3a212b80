"""
When could the next Soyuz launch, and when would it dock?
=========================================================

Soyuz MS-29 is planned from Baikonur Site 31/6 in mid-July 2026, once the pad the MS-28 launch
damaged is repaired (back in service 3 Mar 2026). Where will the station be? A public two-line
element set of 26 Jun 2026 is all we give the model: the launch windows, the rendezvous burns
and the docking follow from it.

The model fits the station's state and drag to that set's own SGP4 trajectory over the three
days before its epoch, then propagates it with the full force model (the station loader, as for
a TLE file; it warns that one set is all it has, and that the data are days older than the time
they serve). A TLE is 18 days old by then and no set knows the reboosts planned in between, so
the times below carry an along-track uncertainty of minutes; a fresher TLE or NASA's ephemeris
narrows it (``gf.station_ephemeris(path)`` reads either).
"""

# %%
import gyrfalcon as gf

iss = gf.tle_from_lines("1 25544U 98067A   26177.67101756  .00008101  00000+0  15268-3 0  9990",
                        "2 25544  51.6322 253.1475 0004299 235.1263 124.9322 15.49442433573225")

# %%
# One window a day: the pad passes through the station's orbit plane about 23 min earlier each
# day. A two-orbit (3 h) rendezvous needs the station 10-18 deg ahead at insertion:
windows = gf.find_windows(iss, "baikonur-31", start="2026-07-10", days=6, scheme="two-orbit")
print(windows.table())

# %%
fig = windows.plot()

# %%
# With this set no day fits the two-orbit scheme this week. That is the set's answer, not the
# station's: the set predates NASA's reboost of 1 Jul 2026, and NASA's ephemeris of 1 Jul
# (``gf.station_ephemeris`` on it) finds two-orbit windows on 10 and 14 Jul, the second at
# 14:47:56, a minute from the operators' planned Soyuz MS-29 liftoff (14:47:00). Stale data move
# the phase by degrees, enough to open or close a two-orbit window (8 deg wide).
# ``scheme="auto"`` takes the fastest scheme whose phase window holds the phase: the earliest
# feasible launch, whatever the scheme.
window = gf.next_window(iss, "baikonur-31", after="2026-07-10", scheme="auto")
window

# %%
# The burns from that liftoff (insertion into the station's plane, targeted with the full
# force model against the station's fitted trajectory), then the automated approach to Prichal
# (Rassvet nadir still holds Soyuz MS-28 until its return, so the approach refuses it):
plan = gf.plan_rendezvous(iss, window)
print(plan.table())

# %%
approach = gf.fly_approach(plan, iss, port="prichal-nadir")
print(approach.table())

# %%
fig = approach.plot()
