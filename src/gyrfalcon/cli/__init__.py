"""The command-line interface (the only part that talks to a person)."""
