"""Migrations are the only way the schema changes: up from empty, no drift, reference data in place."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from certify.core.db import db
from certify.ladder.levels import LADDER
from certify.ladder.models import LevelRow


def test_the_migrated_schema_matches_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_flask_db_check_reports_no_drift(cli):
    # alembic's check raises (non-zero exit) when the models and the migrated schema differ.
    result = cli.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_ladder_table_holds_exactly_the_ladder(app):
    rows = db.session.execute(sa.select(LevelRow).order_by(LevelRow.ordinal)).scalars().all()
    assert [(r.ordinal, r.key, r.name_zh, r.name_en, r.grade_digit, r.obtained_by) for r in rows] == [
        (lv.ordinal, lv.key, lv.name_zh, lv.name_en, lv.grade_digit, lv.obtained_by.value) for lv in LADDER
    ]


def test_downgrade_to_empty_and_upgrade_again(app):
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "audit_entries" in sa.inspect(db.engine).get_table_names()
    assert db.session.execute(sa.select(sa.func.count()).select_from(LevelRow)).scalar() == 8
