"""The assembly benchmark script runs end to end (timings are reported by the script, not asserted here)."""

from __future__ import annotations

import json
import sys

import pytest

from bench import assembly_bench


def test_benchmark_runs_and_prints_its_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["assembly_bench", "--runs", "2", "--papers", "4"])
    assembly_bench.main()
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") :])
    assert report["bank_items"] == 10_000 and report["paper_items"] == 100
    assert report["session"] == {**report["session"], "papers": 4, "failures": 0}
    assert report["single_paper_ms"]["runs"] == 2
