"""File formats only: CCSDS OEM (read/write), CZML. Reports and plots live in :mod:`gyrfalcon.mission`."""
