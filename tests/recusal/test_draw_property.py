"""Property: over random small worlds the draw succeeds exactly when a brute-force search finds a staffing."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from certify.recusal.draw import (
    CandidateGroup,
    DrawRequest,
    HistoryEntry,
    SessionInfo,
    StaffMember,
    draw_panels,
    validate_panels,
)
from certify.recusal.policy import SessionKind, StaffGrade

DAY = date(2026, 3, 10)
SITE = 1
SENIOR = StaffGrade.SENIOR_ASSESSOR
SHORT_CODES = {
    "pool_short",
    "grade_short",
    "card_short",
    "consecutive_short",
    "conflict_short",
    "pool_shared_short",
    "rotation_change_short",
}


@st.composite
def worlds(draw) -> DrawRequest:
    kind = draw(st.sampled_from(list(SessionKind)))
    level = draw(st.sampled_from([5, 6] if kind is SessionKind.REVIEW else [2, 3, 4, 5, 6]))
    pool = []
    for person in range(1, draw(st.sampled_from([5, 6, 7, 8, 9, 4, 2, 0])) + 1):
        grade = draw(st.sampled_from([SENIOR, SENIOR, SENIOR, StaffGrade.ASSESSOR, StaffGrade.INVIGILATOR]))
        card = draw(st.sampled_from([DAY + timedelta(days=400)] * 3 + [None, DAY - timedelta(days=1), DAY]))
        sites = draw(st.lists(st.sampled_from([SITE, SITE, 2]), max_size=4))
        history = [HistoryEntry(DAY - timedelta(days=7 * (n + 1)), site) for n, site in enumerate(sites)]
        if draw(st.booleans()):
            history.append(HistoryEntry(DAY + timedelta(days=3), SITE))  # a later session never counts
        pool.append(StaffMember(person, grade, card, tuple(history)))
    sizes = draw(st.lists(st.sampled_from([5, 16, 1, 15, 31]), min_size=1, max_size=2).map(sorted))
    groups = tuple(
        CandidateGroup(chr(ord("A") + n), tuple(range(100 * (n + 1), 100 * (n + 1) + size)))
        for n, size in enumerate(sizes)
    )
    candidates = [c for g in groups for c in g.candidates]
    pairs = [(m.id, c) for m in pool for c in candidates]
    conflicts = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=6)) if pairs else [])
    label = {m.id: draw(st.sampled_from([0, 1, 1, 2])) for m in pool}  # 0 = in no previous group
    previous = tuple(tuple(p for p, g in label.items() if g == n) for n in (1, 2))
    previous = tuple(g for g in previous if g)
    return DrawRequest(
        draw(st.integers(0, 2**32)),
        SessionInfo(9, SITE, DAY, level, kind),
        (),
        tuple(pool),
        groups,
        previous,
        conflicts,
    )


def size_needed(kind: SessionKind, candidates: int) -> int:
    if kind is SessionKind.THEORY:
        return max(2, math.ceil(candidates / 15))
    if kind is SessionKind.PRACTICAL:
        size = max(3, math.ceil(candidates / 5))
        return size + (size % 2 == 0)
    return 3


def eligible(req: DrawRequest, member: StaffMember, group: CandidateGroup) -> bool:
    kind, level = req.session.kind, req.session.level_ordinal
    if kind is not SessionKind.THEORY:
        allowed = {StaffGrade.SENIOR_ASSESSOR} if level >= 5 else {StaffGrade.ASSESSOR, StaffGrade.SENIOR_ASSESSOR}
        if member.grade not in allowed or member.card_valid_until is None or member.card_valid_until < DAY:
            return False
        past = sorted((h for h in member.history if h.session_date < DAY), key=lambda h: h.session_date)
        run = len(list(itertools.takewhile(lambda h: h.site == SITE, reversed(past))))
        if run >= 3:
            return False
    return not any((member.id, c) in req.conflicts for c in group.candidates)


def panel_ok(req: DrawRequest, group: CandidateGroup, members: tuple[int, ...]) -> bool:
    if req.session.kind is SessionKind.THEORY:
        return True
    keep = len(members) - math.ceil(len(members) / 3)
    return all(len(set(members) & set(prev)) <= keep for prev in req.previous_groups)


def brute_force_feasible(req: DrawRequest) -> bool:
    """Try every combination of panels: the oracle the draw is checked against."""

    def fill(index: int, used: frozenset[int]) -> bool:
        if index == len(req.groups):
            return True
        group = req.groups[index]
        options = [m.id for m in req.pool if m.id not in used and eligible(req, m, group)]
        need = size_needed(req.session.kind, len(group.candidates))
        return any(
            panel_ok(req, group, combo) and fill(index + 1, used | set(combo))
            for combo in itertools.combinations(options, need)
        )

    return fill(0, frozenset())


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_draw_succeeds_exactly_when_a_valid_staffing_exists(req: DrawRequest) -> None:
    result = draw_panels(req)
    event("feasible" if result.ok else "infeasible: " + ", ".join(sorted({f.code for f in result.failures})))
    assert result.ok == brute_force_feasible(req)
    if result.ok:
        assert validate_panels(req, result.panels) == ()
        for panel, group in zip(result.panels, req.groups, strict=True):
            assert panel.group == group.key
            assert len(panel.members) == size_needed(req.session.kind, len(group.candidates))
            assert all(eligible(req, next(m for m in req.pool if m.id == p), group) for p in panel.members)
            assert panel_ok(req, group, panel.members) and panel.leader in panel.members
    else:
        assert result.failures and {f.code for f in result.failures} <= SHORT_CODES
        for failure in result.failures:
            assert failure.params["short_by"] > 0
            assert failure.message("en") and failure.message("zh_CN")


@settings(max_examples=60, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_same_seed_same_draw_in_any_input_order(req: DrawRequest, rnd) -> None:
    pool = list(req.pool)
    rnd.shuffle(pool)
    groups = [replace(g, candidates=tuple(reversed(g.candidates))) for g in req.groups]
    rnd.shuffle(groups)
    shuffled = replace(
        req, pool=tuple(pool), groups=tuple(groups), previous_groups=tuple(reversed(req.previous_groups))
    )
    first, second = draw_panels(req), draw_panels(shuffled)
    assert (first.ok, first.panels, first.inputs_digest) == (second.ok, second.panels, second.inputs_digest)
