"""Web viewer and JSON API."""
