"""Rendezvous: two-orbit, four-orbit and two-day phasing schemes and targeted burn plans.

Modules (import them directly; this package imports nothing heavy):

* :mod:`.schemes` -- the schemes as data (``data/schemes.toml``): burn slots by orbit number
  and argument of latitude (or time), the aim point, the accepted catch-up range, the choice
  of scheme and its fall-back reason, vehicle main-engine figures;
* :mod:`.plan` -- :func:`~.plan.plan_rendezvous`: insertion state -> targeted impulsive and
  finite-burn plan under the ``full`` force model, burn table, aim-point arrival, predicted
  contact, relative LVLH trajectory; :func:`~.plan.recommended_plane_normal` for the launch
  plane of a long scheme;
* :mod:`.handover` -- :func:`~.handover.approach_from_plan` (the closed-loop proximity
  simulation started from the plan's arrival state) and :func:`~.handover.predict_contact`;
* :mod:`.targeting` -- the minimum-norm Newton differential corrector, burn chains,
  first-guess tools (curvilinear Clohessy-Wiltshire, slot timing);
* :mod:`.cw` -- Clohessy-Wiltshire state-transition matrix and two-point velocity;
* :mod:`.twobody` -- Kepler propagation (universal variables), Hohmann, argument-of-latitude timing.
"""
