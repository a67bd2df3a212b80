"""Alembic migrations of the manifest database (script location for :mod:`gyrfalcon.traffic.store`)."""
