"""Input and output formats: CCSDS OEM, CZML, reports."""
