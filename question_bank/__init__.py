"""Questions as content: types, import/export formats, paper assembly, item statistics.

A pure-Python library: it imports no Flask, SQLAlchemy or certify (tests/test_architecture.py keeps that rule).
"""
