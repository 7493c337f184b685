"""Tengo standard library modules (filled in by the stdlib issue)."""
