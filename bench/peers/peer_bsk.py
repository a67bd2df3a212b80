"""Basilisk (``bsk``, its own venv): one simulation per orbit, RK4 at a 10 s task step.

Offline: no SPICE (the planet frame is then the inertial frame, so J2 is about inertial z)
and a hand-written JPL-format J2-only coefficient file (Basilisk would otherwise fetch
GGM03S through pooch). Drag: ``exponentialAtmosphere`` + ``dragDynamicEffector`` (inertial
velocity, density frozen over each task step). A Basilisk sim runs once, so building it is
inside the timed call. Slow: the batch runs ``--n-slow`` orbits (default 100) and the wall
time is scaled linearly to ``--n`` (stated in the table).
"""
import time

T_PROC0 = time.perf_counter()
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from common import (AREA, CD, DT, HS, MASS, MU, RE, RHO0_SURF, J2, R0, T_DAY, V0, Report,  # noqa: E402
                    batch_states, parse_args, timeit)

args = parse_args()
from Basilisk import __version__ as BSK_VERSION  # noqa: E402
from Basilisk.simulation import dragDynamicEffector, exponentialAtmosphere, spacecraft, svIntegrators  # noqa: E402
from Basilisk.utilities import SimulationBaseClass, macros, simIncludeGravBody  # noqa: E402

rep = Report("bsk", args, time.perf_counter() - T_PROC0, BSK_VERSION)

# J2-only gravity file (JPL format: header R, mu, ..., then l, m, Cbar, Sbar, ...)
J2FILE = os.path.join(tempfile.mkdtemp(prefix="bsk_j2_"), "j2only_bsk.csv")
with open(J2FILE, "w") as f:
    f.write(f"{RE * 1e3:.10E}, {MU * 1e9:.10E}, 0.0, 2, 2, 1, 0.0, 0.0\n")
    for l_, m_, c in [(0, 0, 1.0), (1, 0, 0), (1, 1, 0), (2, 0, -J2 / math.sqrt(5)), (2, 1, 0), (2, 2, 0)]:
        f.write(f"{l_}, {m_}, {c:.15E}, 0.0, 0.0, 0.0\n")


def build(r0, v0, task_dt=10.0, integ="rk4", drag=False):
    sim = SimulationBaseClass.SimBaseClass()
    proc = sim.CreateNewProcess("dyn")
    proc.addTask(sim.CreateNewTask("task", macros.sec2nano(task_dt)))
    sc = spacecraft.Spacecraft()
    sc.ModelTag = "sc"
    sc.hub.mHub = MASS
    if integ == "rkf78":
        sc.setIntegrator(svIntegrators.svIntegratorRKF78(sc))
    sim.AddModelToTask("task", sc)
    gf = simIncludeGravBody.gravBodyFactory()
    earth = gf.createEarth()
    earth.isCentralBody = True
    earth.mu = MU * 1e9
    earth.radEquator = RE * 1e3
    earth.useSphericalHarmonicsGravityModel(J2FILE, 2)   # no SPICE => planet frame == inertial frame
    gf.addBodiesTo(sc)
    if drag:
        atm = exponentialAtmosphere.ExponentialAtmosphere()
        atm.ModelTag = "atm"
        atm.planetRadius = RE * 1e3
        atm.scaleHeight = HS * 1e3
        atm.baseDensity = RHO0_SURF
        atm.addSpacecraftToModel(sc.scStateOutMsg)
        sim.AddModelToTask("task", atm)
        dr = dragDynamicEffector.DragDynamicEffector()
        dr.ModelTag = "drag"
        dr.coreParams.projectedArea = AREA
        dr.coreParams.dragCoeff = CD
        dr.atmoDensInMsg.subscribeTo(atm.envOutMsgs[0])
        sc.addDynamicEffector(dr)
        sim.AddModelToTask("task", dr)
    sc.hub.r_CN_NInit = (np.asarray(r0) * 1e3).tolist()
    sc.hub.v_CN_NInit = (np.asarray(v0) * 1e3).tolist()
    rec = sc.scStateOutMsg.recorder(macros.sec2nano(DT))
    sim.AddModelToTask("task", rec)
    return sim, rec


def run(r0, v0, tend, **kw):
    sim, rec = build(r0, v0, **kw)
    sim.InitializeSimulation()
    sim.ConfigureStopTime(macros.sec2nano(tend))
    sim.ExecuteSimulation()
    return np.array(rec.r_BN_N) / 1e3


N = args.n
M = min(N, args.n_slow or 100)
rb, vb = batch_states(N)
T = args.hours * 3600.0
reps = 1 if args.quick else 3
for case, kw in (("A_j2", {}), ("A_drag", {"drag": True})):
    def loop(kw=kw):
        return np.array([run(rb[j], vb[j], T, task_dt=10.0, **kw)[-1] for j in range(M)])
    med, _, fin = timeit(loop, n=reps)
    rep.row(case, f"one sim per orbit, RK4 10 s task step ({M} orbits run, time x{N / M:g})", med * N / M, fin,
            n_run=M, wall_measured_s=med, scaled=M != N)

med1, _, out1 = timeit(lambda: run(R0, V0, T_DAY, task_dt=60.0, integ="rkf78"), n=3 if args.quick else 5)
assert len(out1) == 1441, len(out1)
rep.row("B_j2", "RKF78, 60 s task step (sim build included)", med1, out1[-1:], n_run=1)
rep.set(t_process_s=time.perf_counter() - T_PROC0)
rep.emit()
