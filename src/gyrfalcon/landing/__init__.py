"""Return: undocking, deorbit burn, entry and landing point."""
