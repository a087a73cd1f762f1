"""Helpers shared by the integration tests (servers and fixtures are in conftest.py)."""
