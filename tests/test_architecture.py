"""The house follows the flow (docs/architecture.md): every import of the package, parsed with ast
(function-level imports included: a lazy import is still a dependency), points down the layers

    base (errors, constants, time, resources, ids)
    -> orbits (frames, orbits, io: physics and file formats) and station
    -> the phases: launch, rendezvous, proximity, landing, traffic
    -> mission (scenario, runner, results, report, plots)
    -> scale (many flights: Monte Carlo campaigns)
    -> api (the flight-level verbs, one call a step) and refusals (its refusals of a launch, completed)
    -> the faces: cli, web

with no cycle between parts, io importing no phase, and no cycle of module-level imports.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS = {
    "errors": 0, "constants": 0, "time": 0, "_heyoka": 0, "resources": 0, "ids": 0,
    "frames": 1, "orbits": 1, "io": 1, "station": 1,
    "launch": 2, "rendezvous": 2, "proximity": 2, "landing": 2, "traffic": 2,
    "mission": 3,
    "scale": 4,
    "api": 5, "refusals": 5,
    "cli": 6, "web": 6,
}
"""Part -> layer: a part may import its own layer and those below, never one above."""

FOUNDATION = {"frames": "orbits", "io": "orbits"}
"""Parts counted as one node in the cycle check: io's OEM reader builds orbits' Ephemeris while
orbits' sources read io's formats, and frames converts orbits' State (one foundation, README "Orbits")."""

PHASES = {"launch", "rendezvous", "proximity", "landing", "traffic"}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def collect_imports(root: Path, package: str = "gyrfalcon"):
    """``[(module, imported module, line, top_level)]`` for every import of ``package`` inside it.

    ``top_level``: the import runs when the module is imported (not inside a function or class).
    """
    out = []
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        mod = _module_name(path, root)
        pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(pkg.split(".")[: len(pkg.split(".")) - node.level + 1])
                    head = f"{base}.{node.module}" if node.module else base
                else:
                    head = node.module or ""
                # "from pkg import name": name is a submodule or an attribute; module_cycles resolves it
                targets = [f"{head}.{a.name}" for a in node.names]
            else:
                continue
            for t in targets:
                if t == package or t.startswith(package + "."):
                    out.append((mod, t, node.lineno, id(node) in top))
    return out


TOP_LEVEL_NAMES = {"__version__"}
"""Plain values of the package's own ``__init__`` (no import of any part): count as the package."""


def part_of(module: str) -> str:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[1] not in TOP_LEVEL_NAMES else "gyrfalcon"


def flow_violations(imports) -> list[str]:
    """Imports against the layers, and phase imports by io."""
    bad = []
    for mod, target, line, _ in imports:
        a, b = part_of(mod), part_of(target)
        if a == "gyrfalcon" or a == b or b == "gyrfalcon":
            continue
        if a not in LAYERS or b not in LAYERS:
            bad.append(f"{mod}:{line} imports {target}: part {a if a not in LAYERS else b!r} has no layer "
                       "(add it to LAYERS and to docs/architecture.md)")
        elif a == "io" and b in PHASES:
            bad.append(f"{mod}:{line} imports {target}: io holds file formats only and imports no phase")
        elif LAYERS[b] > LAYERS[a]:
            bad.append(f"{mod}:{line} imports {target}: {a} (layer {LAYERS[a]}) may not import {b} (layer {LAYERS[b]})")
    return bad


def _cycles(edges: dict) -> list[list[str]]:
    """Elementary cycles found by depth-first search (one per back edge)."""
    found, state = [], {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                found.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n, [])
    return found


def part_cycles(imports) -> list[list[str]]:
    edges: dict = {}
    for mod, target, _, _ in imports:
        a, b = part_of(mod), part_of(target)
        a, b = FOUNDATION.get(a, a), FOUNDATION.get(b, b)
        if a != b and "gyrfalcon" not in (a, b):
            edges.setdefault(a, set()).add(b)
    return _cycles(edges)


def module_cycles(imports) -> list[list[str]]:
    """Cycles of imports that run at import time (they break or half-initialise modules)."""
    known = {m for m, _, _, _ in imports}
    edges: dict = {}
    for mod, target, _, top in imports:
        while target not in known and "." in target:     # an attribute of a module, or a module we did not parse
            target = target.rsplit(".", 1)[0]
        if top and mod != target and target in known:
            edges.setdefault(mod, set()).add(target)
    return [c for c in _cycles(edges) if len(c) > 2]


@pytest.fixture(scope="module")
def imports():
    return collect_imports(SRC)


def test_the_package_has_the_parts_the_layers_name(imports):
    parts = {p.stem if p.is_file() else p.name for p in (SRC / "gyrfalcon").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert parts == set(LAYERS), f"parts without a layer: {parts - set(LAYERS)}; layers without a part: " \
                                 f"{set(LAYERS) - parts}"
    assert len(imports) > 300      # the parser sees the package's imports


def test_no_import_against_the_flow(imports):
    bad = flow_violations(imports)
    assert not bad, "imports against the flow (see docs/architecture.md):\n" + "\n".join(bad)


def test_no_cycle_between_parts(imports):
    assert part_cycles(imports) == []


def test_no_cycle_of_module_level_imports(imports):
    assert module_cycles(imports) == []


def test_the_top_level_names_resolve_to_modules_of_the_package():
    import importlib.util

    import gyrfalcon

    for name, module in gyrfalcon._LAZY.items():
        if module == "gyrfalcon.orbits.station_source" and importlib.util.find_spec(module) is None:
            continue        # the station loader lands with its own branch
        assert importlib.util.find_spec(module) is not None, (name, module)


def test_the_checks_catch_what_they_are_for(tmp_path):
    """A made-up package with one upward import, one io -> phase import and a cycle."""
    pkg = tmp_path / "gyrfalcon"
    for part, body in {
        "orbits/__init__.py": "",
        "orbits/state.py": "def f():\n    from ..mission import runner\n",
        "io/__init__.py": "",
        "io/oem.py": "from ..launch import sites\n",
        "launch/__init__.py": "",
        "launch/sites.py": "from ..rendezvous import plan\n",
        "rendezvous/__init__.py": "",
        "rendezvous/plan.py": "from ..launch import sites\n",
        "mission/__init__.py": "",
        "mission/runner.py": "",
    }.items():
        (pkg / part).parent.mkdir(parents=True, exist_ok=True)
        (pkg / part).write_text(body)
    imps = collect_imports(tmp_path)
    bad = flow_violations(imps)
    assert any("gyrfalcon.orbits.state:2 imports gyrfalcon.mission" in b for b in bad), bad
    assert any("io holds file formats only" in b for b in bad), bad
    assert any(set(c) == {"launch", "rendezvous"} for c in part_cycles(imps))
    assert any(set(c) == {"gyrfalcon.launch.sites", "gyrfalcon.rendezvous.plan"} for c in module_cycles(imps))
