"""Shared pytest fixtures (area-specific fixtures live in each tests/<area>/conftest.py)."""
