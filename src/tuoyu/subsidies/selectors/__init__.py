"""Reads of subsidies, each through scopes.py."""
