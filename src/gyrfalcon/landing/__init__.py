"""Return: undocking, deorbit burn, entry and landing point.

Modules (import them directly; this package imports nothing heavy):

* :mod:`.undocking` -- springs and separation burn in the station's LVLH frame
  (:class:`gyrfalcon.proximity.relative.RelativeDynamics`), keep-out-sphere check.
* :mod:`.deorbit` -- the finite retrograde burn and the coast down to module separation on
  :class:`gyrfalcon.orbits.propagator.Propagator` (``full`` model), and the burn time that
  lands on the target.
* :mod:`.entry` -- 3-DOF descent of the module (US76, L/D 0.3, bank-angle predictor-corrector
  guidance or ballistic roll), g-load, heating proxy, parachutes, soft landing.
* :mod:`.zones` -- landing zones (``data/zones.toml``: the Soyuz zone 146 km SE of Zhezkazgan)
  and the surface geometry.
* :mod:`.plan` -- daily opportunities and :func:`~.plan.plan_landing`, end to end.
* :mod:`.vehicle` -- return data with sources (``data/return.toml``).
"""
