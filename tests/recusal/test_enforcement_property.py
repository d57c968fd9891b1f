"""Property: whatever happens, no assignment or score authorisation pairs a conflicted person with a candidate
unless an override with a reason and enough authorised approvers exists.

Model-based: a plain-Python model of the relations and overrides predicts, at every step, whether the engine
must allow or refuse; the database operations must agree, and every assignment recorded must have been allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certify.auth.models import Role as AccountRole
from certify.core.db import db
from certify.recusal import conflicts, operations, rules
from certify.recusal.models import Assignment
from certify.recusal.policy import RecusalPolicy, RelationKind, RelationSource, Role
from tests.factories import make_body, make_user

STAFF, CANDIDATES = 2, 2
END_OFFSETS = [None, -365 * 6, -365 * 5 - 2, -365 * 5 + 2, -30, 30]  # days from today (None = ongoing)
START_OFFSETS = [None, -365 * 8, -10, 10]

step = st.one_of(
    st.tuples(
        st.just("relate"),
        st.integers(0, STAFF - 1),
        st.integers(0, CANDIDATES - 1),
        st.sampled_from([RelationKind.TRAINED, RelationKind.RELATIVE, RelationKind.TEACHER_STUDENT]),
        st.sampled_from(START_OFFSETS),
        st.sampled_from(END_OFFSETS),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
    st.tuples(
        st.just("assign"),
        st.integers(0, STAFF - 1),
        st.integers(0, CANDIDATES - 1),
        st.sampled_from([Role.ASSESSOR, Role.INVIGILATOR, Role.MARKER]),
    ),
    st.tuples(st.just("score"), st.integers(0, STAFF - 1), st.integers(0, CANDIDATES - 1)),
    st.tuples(st.just("override"), st.integers(0, STAFF - 1), st.integers(0, CANDIDATES - 1), st.booleans()),
)


@dataclass
class Model:
    relations: list[rules.Relation] = field(default_factory=list)
    withdrawn: set[int] = field(default_factory=set)
    #: (actor, candidate, role) → [(relation kinds blocking when granted, distinct supervisor approvals)]
    overrides: dict[tuple[int, int, Role], list[tuple[frozenset, int]]] = field(default_factory=dict)

    def blocking(self, a: int, c: int, role: Role, today, policy: RecusalPolicy) -> frozenset:
        checks = policy.checks_for(role)
        return frozenset(
            r.kind
            for r in self.relations
            if r.id not in self.withdrawn
            and {r.a, r.b} == {a, c}
            and r.kind.value in checks
            and rules.relation_blocks(r, today, policy)
        )

    def conflicted(self, a: int, c: int, role: Role, today, policy: RecusalPolicy) -> bool:
        return bool(self.blocking(a, c, role, today, policy))

    def overridden(self, a: int, c: int, role: Role, today, policy: RecusalPolicy) -> bool:
        """An override granted for (at least) every kind that blocks now, with enough approvals."""
        needed = policy.high_stakes_approvals if role in policy.high_stakes_roles else 1
        now_blocking = self.blocking(a, c, role, today, policy)
        return any(
            now_blocking <= kinds and approvals >= needed for kinds, approvals in self.overrides.get((a, c, role), [])
        )


@pytest.fixture
def world(app):
    body = make_body()
    return {"body": body, "serial": iter(range(1, 10**6))}


def _people(world):
    n = next(world["serial"])
    staff = [make_user(f"s{n}x{i}", AccountRole.ASSESSOR, body=world["body"], serial=n * 10 + i) for i in range(STAFF)]
    cands = [
        make_user(f"c{n}x{i}", AccountRole.CANDIDATE, body=world["body"], serial=n * 10 + 3 + i)
        for i in range(CANDIDATES)
    ]
    sups = [make_user(f"v{n}x{i}", AccountRole.SUPERVISOR, body=world["body"], serial=n * 10 + 6 + i) for i in range(2)]
    for user in staff:
        conflicts.declare(user.person_id, none_known=True, context=("property", 1))
    return [u.person_id for u in staff], [u.person_id for u in cands], sups


def test_no_conflicted_assignment_or_score_without_an_override(app, world, backend):
    examples = 1000 if backend == "sqlite" else 100

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=1, max_size=12))
    def run(steps):
        staff, cands, sups = _people(world)
        policy, today = operations.policy(), operations.today()
        model, made, allowed_pairs, assigned = Model(), [], [], 0
        for op in steps:
            if op[0] == "relate":
                _, s, c, kind, start, end = op
                starts = today + timedelta(days=start) if start is not None else None
                ends = today + timedelta(days=end) if end is not None else None
                if starts and ends and ends < starts:
                    continue
                duplicate = any(
                    r.id not in model.withdrawn
                    and r.kind == kind
                    and (r.a, r.b) == (staff[s], cands[c])
                    and (starts is None or r.ends_on is None or starts <= r.ends_on)
                    and (ends is None or r.starts_on is None or r.starts_on <= ends)
                    for r in model.relations
                )
                if duplicate:  # the same relation in force over an overlapping period is refused
                    with pytest.raises(operations.Refused):
                        operations.add_relation(kind, staff[s], cands[c], starts_on=starts, ends_on=ends)
                    continue
                row = operations.add_relation(
                    kind, staff[s], cands[c], starts_on=starts, ends_on=ends, source=RelationSource.STAFF_ENTRY
                )
                made.append(row)
                model.relations.append(
                    rules.Relation(row.id, kind, staff[s], cands[c], starts, ends, RelationSource.STAFF_ENTRY)
                )
            elif op[0] == "withdraw" and made:
                row = made[op[1] % len(made)]
                operations.withdraw_relation(row, "recorded in error")
                model.withdrawn.add(row.id)
            elif op[0] in ("assign", "score"):
                s, c = op[1], op[2]
                role = op[3] if op[0] == "assign" else Role.ASSESSOR
                expect_allowed = not model.conflicted(staff[s], cands[c], role, today, policy) or model.overridden(
                    staff[s], cands[c], role, today, policy
                )
                try:
                    if op[0] == "assign":
                        operations.assign(staff[s], role, candidate=cands[c], context=("property", 1))
                    else:
                        operations.require(staff[s], role, candidate=cands[c], context=("score", 1))
                    outcome = True
                except operations.RecusalBlocked:
                    outcome = False
                assert outcome == expect_allowed, (op, model)
                if outcome:
                    allowed_pairs.append((staff[s], cands[c], role))
                    assigned += op[0] == "assign"
            elif op[0] == "override":
                _, s, c, second = op
                standing = model.blocking(staff[s], cands[c], Role.ASSESSOR, today, policy)
                if not standing:  # nothing to override: refused, and nothing recorded
                    with pytest.raises(operations.Refused):
                        operations.request_override(
                            staff[s],
                            Role.ASSESSOR,
                            "panel cannot be formed otherwise",
                            requested_by=sups[0],
                            candidate=cands[c],
                        )
                    continue
                row = operations.request_override(
                    staff[s],
                    Role.ASSESSOR,
                    "panel cannot be formed otherwise",
                    requested_by=sups[0],
                    candidate=cands[c],
                )
                approvals = 1
                if second:
                    operations.approve_override(row, sups[1])
                    approvals = 2
                model.overrides.setdefault((staff[s], cands[c], Role.ASSESSOR), []).append((standing, approvals))
        db.session.commit()
        recorded = db.session.execute(db.select(Assignment).where(Assignment.person_id.in_(staff))).scalars().all()
        assert len(recorded) == assigned
        for assignment in recorded:
            assert (assignment.person_id, assignment.candidate_person_id, assignment.role) in allowed_pairs

    run()
