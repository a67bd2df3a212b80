"""Proximity operations: relative motion, Kurs-like sensing, approach guidance, docking contact."""
