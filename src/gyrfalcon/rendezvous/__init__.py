"""Rendezvous: two-orbit, four-orbit and two-day phasing schemes and targeted burn plans."""
