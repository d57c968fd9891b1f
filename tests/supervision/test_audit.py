"""The audit log: every change is chained by hash; `flask audit verify` finds the first tampered entry."""

from __future__ import annotations

import json

import sqlalchemy as sa

from certify.core.db import db
from certify.supervision import audit
from certify.supervision.models import AuditEntry


def _append(n: int) -> list[AuditEntry]:
    entries = [
        audit.record("test.step", object_type="thing", object_id=i, after={"i": i, "名": "值"}) for i in range(n)
    ]
    db.session.commit()
    return entries


def _tamper(sql: str, **params) -> None:
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def test_entries_chain_onto_each_other(app):
    entries = _append(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert json.loads(entries[2].after) == {"i": 2, "名": "值"}
    assert audit.verify_chain().intact and audit.verify_chain().checked == 3


def test_verify_command_reports_an_intact_chain(cli):
    _append(4)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 4 entries" in result.output


def test_a_modified_entry_is_named_as_the_first_broken_one(cli):
    _append(5)
    _tamper("UPDATE audit_entries SET after = :v WHERE seq = 3", v='{"i":99}')
    report = audit.verify_chain()
    assert (report.broken_seq, report.checked) == (3, 2)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "seq=3" in result.output and "modified" in result.output


def test_rewriting_an_entry_and_its_hash_breaks_the_next_link(app):
    _append(4)
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.seq == 2)).scalar_one()
    entry.reason = "rewritten history"
    entry.hash = audit.entry_hash(entry)
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_seq == 3
    assert "link" in report.problem


def test_a_deleted_entry_leaves_a_gap_that_is_reported(app):
    _append(4)
    _tamper("DELETE FROM audit_entries WHERE seq = 2")
    report = audit.verify_chain()
    assert report.broken_seq == 3
    assert "expected entry 2" in report.problem


def test_changes_in_the_web_app_are_audited_with_actor_request_and_ip(client):
    from certify.auth.models import Role
    from tests.factories import login, make_body, make_user, post_form

    body = make_body()
    make_user("boss", Role.ADMIN, body=body)
    login(client, "boss")
    post_form(
        client,
        "/sites/new",
        {"serial": "000123", "name": "东城", "address": "北京", "active": "y"},
        headers={"X-Request-Id": "req-42"},
    )
    entry = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert entry.action == "institutions.site_created"
    assert entry.actor_label == "boss" and entry.request_id == "req-42" and entry.ip == "127.0.0.1"
    assert json.loads(entry.after)["serial"] == "000123"
