"""Orbits: states, elements, orbit sources (TLE, OMM, OEM), numerical propagation, events."""
