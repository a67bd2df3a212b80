"""Station: modules, docking ports, visiting-vehicle types and approach corridors."""
