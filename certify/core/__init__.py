"""Shared base: database, clock, errors, access helpers."""
