"""Scenario texts shared by the tests (a flight without files or return, for quick end-to-end runs)."""

QUICK = """
name = "{name}"
seed = {seed}
[launch]
pad = "baikonur-31"
time = "2025-11-27T09:28:01Z"
[rendezvous]
scheme = "two-orbit"
[return]
enabled = false
[output]
czml = false
report = false
"""


def quick(seed: int = 0, name: str = "quick") -> str:
    """The quick scenario (MS-28's liftoff second, two-orbit, no return, no report or CZML)."""
    return QUICK.format(seed=seed, name=name)
