"""Scheduled jobs of applications."""

from __future__ import annotations

from certify.applications import operations
from certify.scheduler.registry import job


@job("applications.lapse", seconds=3600)
def lapse_returned_applications() -> int:
    """Record as lapsed every returned application whose correction deadline has passed (idempotent: pages
    already show them as lapsed; this persists the state, its event and its audit entry)."""
    return operations.lapse_overdue()
