"""Proximity operations: relative motion, Kurs-like sensing, approach guidance, docking contact.

Modules (import them directly; this package imports nothing heavy):

* :mod:`~gyrfalcon.proximity.relative` -- full-model relative dynamics about the station's
  ephemeris (:class:`RelativeDynamics`), Clohessy-Wiltshire (:func:`cw_stm`) and
  Yamanaka-Ankersen (:func:`ya_stm`) state-transition matrices, LVLH conversions;
* :mod:`~gyrfalcon.proximity.port` -- the target port in LVLH with its capture envelope and
  corridor (:func:`approach_target`), an adapter over :mod:`gyrfalcon.station`;
* :mod:`~gyrfalcon.proximity.kurs` -- Kurs-NA-like sensor (:class:`KursModel`, :class:`KursFault`);
* :mod:`~gyrfalcon.proximity.filter` -- EKF on Kurs data (:class:`RelativeNavFilter`);
* :mod:`~gyrfalcon.proximity.guidance` -- phases, safety rules, thrusters, attitude limit
  cycles, TORU scripts (:class:`GuidanceParams`, :class:`ThrusterModel`, :class:`ManualScript`);
* :mod:`~gyrfalcon.proximity.profiles` -- the Soyuz MS and Progress MS approach profiles
  (``data/approach.toml``, sourced) as guidance parameters (:func:`approach_guidance`);
* :mod:`~gyrfalcon.proximity.contact` -- contact conditions and the captured / bounce /
  collision verdict (:func:`assess_contact`);
* :mod:`~gyrfalcon.proximity.approach` -- the closed-loop simulation from the rendezvous aim
  point to contact (:func:`simulate_approach` -> :class:`ApproachResult`).

Quick look at the default (Soyuz MS-28 to Rassvet nadir, 27 Nov 2025):

>>> from gyrfalcon.proximity.approach import simulate_approach
>>> res = simulate_approach(seed=0)
>>> res.verdict, [p.name for p in res.phases]
('captured', ['closing', 'flyaround', 'station_keeping', 'final_approach'])
"""
