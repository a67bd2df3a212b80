"""Mission runner: scenario files, the end-to-end flight and its timeline."""
