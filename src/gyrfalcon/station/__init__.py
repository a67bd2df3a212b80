"""Station: modules, docking ports, visiting-vehicle types, mechanisms and approach corridors.

The lower layer shared by proximity operations and station traffic (nothing here imports
launch, rendezvous or anything above it). Submodules (import them directly; this package
imports nothing on its own, so ``import gyrfalcon`` stays light):

* :mod:`~gyrfalcon.station.catalog`: ``load_station("iss") -> Station`` (modules, the eight
  ports with body-frame positions and outward axes, corridors, Keep-Out Sphere, occupancy
  snapshots of 27 Nov and 1 Dec 2025; dated ports, with the past ones Pirs nadir and Nauka
  nadir in ``past_ports``: ``Station.port_on(port, utc)`` / ``ports_on(utc)``) and
  ``load_vehicle_types()`` (Soyuz MS, Progress MS, Crew/Cargo Dragon, Cygnus XL, HTV-X,
  Starliner), with compatibility checks.
* :mod:`~gyrfalcon.station.mechanisms`: SSVP / hybrid SSVP / IDSS / CBM and the docking
  capture envelopes of domain.md 3.3.
* :mod:`~gyrfalcon.station.geometry`: XVV / -XVV attitude, body -> LVLH rotation,
  ``port_axis_in_lvlh``.
* :mod:`~gyrfalcon.station.corridors`: ``corridor_clearance`` (is a port's approach corridor
  clear of the vehicles docked elsewhere?) and ``corridor_report``.

Data, with a source and confidence grade for every figure: ``station/data/iss.toml``,
``vehicles.toml``, ``mechanisms.toml``. Station body frame: x forward (velocity in XVV),
y starboard, z nadir.
"""
