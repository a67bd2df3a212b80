"""
What the pad accident did to the station's traffic
===================================================

At the Soyuz MS-28 launch the unlocked service cabin of Site 31/6 fell into the flame trench.
Site 31/6 is the only pad that launches Soyuz and Progress to the ISS; it was back in service on
3 Mar 2026. What does an outage from 27 Nov 2025 to 3 Mar 2026 do to the planned flights?

:func:`gyrfalcon.pad_outage` re-plans the built-in late-2025 manifest (every vehicle, port and
stay, with the station's rules: lifeboat seats, port conflicts, stay limits) around the outage.
"""

# %%
import gyrfalcon as gf

result = gf.pad_outage("baikonur-31", start="2025-11-27", end="2026-03-03")
result

# %%
# The launches from the pad: Progress MS-33, planned for 21 Dec 2025, waits for the pad and its
# 16-day turnaround.
print(result.table())

# %%
# The stays the outage lengthens (each against its limit, where one is on record), and the cargo
# picture: the gaps with no Progress at Zvezda aft and the longest spacing between resupplies,
# as planned and as re-planned:
for stay in result.stays:
    if stay.planned_stay_days != stay.replanned_stay_days:
        print(f"{stay.vehicle}: stay {stay.planned_stay_days:.0f} -> {stay.replanned_stay_days:.0f} days, "
              + (f"limit {stay.limit_days:g} days" if stay.limit_days is not None else "no stay limit on record")
              + f", {'AT RISK' if stay.at_risk else 'ok'}")
for label, cargo in (("planned", result.cargo_planned), ("re-planned", result.cargo)):
    print(f"{label}: {cargo.zvezda_aft_gap_days:.0f} days without a Progress at Zvezda aft, longest "
          f"resupply gap {cargo.longest_resupply_gap_days:.0f} days {cargo.longest_resupply_gap}")

# %%
# Port occupancy as re-planned, the planned one in grey:
fig = result.plot()
