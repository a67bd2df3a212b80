"""Station traffic: the persistent manifest, its rules and what-ifs."""
