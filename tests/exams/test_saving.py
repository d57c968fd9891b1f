"""Save semantics: out-of-order, duplicate, after deadline, after submit; submit and expiry outcomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from certify.exams.saving import (
    AttemptState,
    ExpiryKind,
    IncomingSave,
    SavedAnswer,
    SaveOutcome,
    SaveReason,
    apply_save,
    can_submit,
    expiry_outcome,
    replay_journal,
)
from certify.exams.timing import ExamTiming, ExpiryPolicy

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(minutes=90)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_first_save_is_stored_with_server_time() -> None:
    d = apply_save({}, ("q1", 1, "A"), at(5), DEADLINE)
    assert d.accepted and d.outcome is SaveOutcome.STORED and d.code == "stored"
    assert d.answers == {"q1": SavedAnswer(1, "A", at(5))}
    assert d.kept_newest == SavedAnswer(1, "A", at(5))


def test_input_is_never_mutated() -> None:
    current = {"q1": SavedAnswer(1, "A", at(1))}
    apply_save(current, ("q1", 2, "B"), at(2), DEADLINE)
    assert current == {"q1": SavedAnswer(1, "A", at(1))}


def test_newer_seq_replaces() -> None:
    d = apply_save({"q1": (1, "A", at(1))}, IncomingSave("q1", 2, "B"), at(2), DEADLINE)
    assert d.outcome is SaveOutcome.STORED and d.answers["q1"] == SavedAnswer(2, "B", at(2))


def test_duplicate_save_is_an_acknowledged_no_op() -> None:
    current = {"q1": SavedAnswer(3, "C", at(1))}
    d = apply_save(current, ("q1", 3, "C"), at(2), DEADLINE)
    assert d.accepted and d.outcome is SaveOutcome.DUPLICATE and d.code == "duplicate"
    assert d.answers == current  # saved_at is not refreshed either


def test_duplicate_seq_with_other_value_keeps_the_saved_value() -> None:
    current = {"q1": SavedAnswer(3, "C", at(1))}
    d = apply_save(current, ("q1", 3, "D"), at(2), DEADLINE)
    assert d.accepted and d.code == "duplicate_conflict" and d.answers == current


def test_older_save_is_acknowledged_and_ignored() -> None:
    current = {"q1": SavedAnswer(5, "E", at(1))}
    d = apply_save(current, ("q1", 4, "D"), at(2), DEADLINE)
    assert d.accepted and d.outcome is SaveOutcome.STALE and d.answers == current
    assert d.kept_newest == SavedAnswer(5, "E", at(1))
    assert d.reasons[0].params == {"question_id": "q1", "seq": 4, "kept_seq": 5}
    assert d.reasons[0].message("zh_CN") == "试题 q1 已保存更新的答案（第 5 次），第 4 次保存不予采用。"


def test_save_within_tolerance_is_accepted_and_after_is_refused() -> None:
    assert apply_save({}, ("q1", 1, "A"), DEADLINE + timedelta(seconds=60), DEADLINE).accepted
    late = apply_save({"q1": (1, "A", at(1))}, ("q1", 2, "B"), DEADLINE + timedelta(seconds=61), DEADLINE)
    assert not late.accepted and late.outcome is SaveOutcome.REFUSED and late.code == "after_deadline"
    assert late.answers == {"q1": SavedAnswer(1, "A", at(1))}
    assert "answers were accepted until 2026-06-01 02:31 UTC" in late.reasons[0].message("en")


def test_tolerance_is_configurable() -> None:
    d = apply_save({}, ("q1", 1, "A"), DEADLINE + timedelta(seconds=100), DEADLINE, tolerance=timedelta(minutes=2))
    assert d.accepted


def test_save_after_submit_is_refused_and_never_reopens() -> None:
    current = {"q1": SavedAnswer(1, "A", at(1))}
    d = apply_save(current, ("q1", 2, "B"), at(10), DEADLINE, AttemptState.SUBMITTED)
    assert not d.accepted and d.code == "attempt_closed" and d.answers == current
    assert d.reasons[0].params == {"state": "submitted"}
    assert d.reasons[0].message("zh_CN") == "本次作答已结束（已交卷），不能再保存答案。"
    assert "(submitted)" in d.reasons[0].message("en")


def test_refusal_lists_every_reason() -> None:
    late = DEADLINE + timedelta(minutes=5)
    d = apply_save({}, ("qX", 0, "A"), late, DEADLINE, AttemptState.AUTO_SUBMITTED, question_ids=frozenset({"q1"}))
    assert [r.code for r in d.reasons] == [
        "attempt_closed",
        "after_deadline",
        "invalid_seq",
        "unknown_question",
    ]
    assert {r.where for r in d.reasons} == {"attempt_state", "deadline", "answers[qX]"}


def test_replay_of_out_of_order_journal() -> None:
    journal = [("q1", 3, "C"), ("q2", 1, "x"), ("q1", 1, "A"), ("q1", 3, "C"), ("q1", 2, "B")]
    result = replay_journal({}, journal, at(20), DEADLINE)
    assert result.answers == {"q1": SavedAnswer(3, "C", at(20)), "q2": SavedAnswer(1, "x", at(20))}
    assert [d.outcome for d in result.decisions] == [
        SaveOutcome.STORED,
        SaveOutcome.STORED,
        SaveOutcome.STORED,
        SaveOutcome.DUPLICATE,
        SaveOutcome.STORED,
    ]
    assert all(d.accepted for d in result.decisions)
    assert [d.kept_newest.seq for d in result.decisions if d.kept_newest] == [3, 1, 3, 3, 3]


def test_replay_after_deadline_changes_nothing() -> None:
    current = {"q1": SavedAnswer(1, "A", at(1))}
    result = replay_journal(current, [("q1", 2, "B"), ("q2", 1, "x")], DEADLINE + timedelta(minutes=2), DEADLINE)
    assert result.answers == current
    assert [d.code for d in result.decisions] == ["after_deadline", "after_deadline"]


saves = st.lists(
    st.tuples(st.sampled_from(["q1", "q2", "q3"]), st.integers(1, 6), st.sampled_from(["A", "B", "C", "D"])),
    max_size=20,
)


@given(saves, st.randoms(use_true_random=False))
def test_replay_in_any_order_equals_in_order(journal: list[tuple[str, int, str]], rnd: object) -> None:
    shuffled = list(journal)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    in_order = sorted(journal, key=lambda s: (s[0], s[1], s[2]))
    sequential: dict[str, SavedAnswer] = {}
    for entry in in_order:
        sequential = dict(apply_save(sequential, entry, at(5), DEADLINE).answers)
    assert replay_journal({}, shuffled, at(5), DEADLINE).answers == sequential
    newest = {q: max(s for qq, s, _ in journal if qq == q) for q, _, _ in journal}
    assert {q: a.seq for q, a in sequential.items()} == newest


@given(saves)
def test_replaying_twice_is_idempotent(journal: list[tuple[str, int, str]]) -> None:
    once = replay_journal({}, journal, at(5), DEADLINE)
    twice = replay_journal(once.answers, journal, at(6), DEADLINE)
    assert twice.answers == once.answers
    assert all(d.outcome is not SaveOutcome.STORED for d in twice.decisions)


def timing(**overrides: object) -> ExamTiming:
    base: dict[str, object] = {
        "window_opens": T0,
        "window_closes": T0 + timedelta(hours=4),
        "duration": timedelta(minutes=90),
        "started_at": T0,
    }
    return ExamTiming(**(base | overrides))  # type: ignore[arg-type]


def test_submit_in_time_records_server_time() -> None:
    d = can_submit(timing(), at(60))
    assert d.allowed and d.recorded_at == at(60) and d.reasons == ()


def test_submit_rules_collect_every_reason() -> None:
    d = can_submit(timing(submitted_at=at(50), terminated_at=at(40)), at(200))
    assert [r.code for r in d.reasons] == ["already_submitted", "attempt_terminated", "submit_too_late"]
    assert not can_submit(timing(started_at=None), at(10)).allowed


def test_submit_under_grace_until_deadline_plus_grace() -> None:
    t = timing(expiry=ExpiryPolicy.GRACE, grace=timedelta(minutes=10))
    assert can_submit(t, at(99)).allowed
    refused = can_submit(t, at(101))
    assert [r.code for r in refused.reasons] == ["submit_too_late"]
    assert "2026-06-01 02:40 UTC" in refused.reasons[0].message("en")


def test_auto_submit_records_the_deadline() -> None:
    t = timing()
    assert expiry_outcome(t, at(60)).kind is ExpiryKind.OPEN
    pending = expiry_outcome(t, at(90.5))
    assert pending.kind is ExpiryKind.AWAITING_FINALISATION and not pending.final
    done = expiry_outcome(t, at(92))
    assert done.kind is ExpiryKind.AUTO_SUBMITTED and done.final and done.submitted_at == at(90)


def test_grace_then_abandon() -> None:
    t = timing(expiry=ExpiryPolicy.GRACE, grace=timedelta(minutes=10))
    assert expiry_outcome(t, at(95)).kind is ExpiryKind.AWAITING_SUBMISSION
    assert expiry_outcome(t, at(101)).kind is ExpiryKind.ABANDONED
    assert expiry_outcome(timing(expiry=ExpiryPolicy.ABANDON), at(92)).kind is ExpiryKind.ABANDONED


def test_submitted_terminated_absent_outcomes() -> None:
    submitted = expiry_outcome(timing(submitted_at=at(30)), at(200))
    assert submitted.kind is ExpiryKind.SUBMITTED and submitted.submitted_at == at(30)
    assert expiry_outcome(timing(terminated_at=at(30)), at(31)).kind is ExpiryKind.TERMINATED
    assert expiry_outcome(timing(started_at=None), at(241)).kind is ExpiryKind.ABSENT


def test_every_code_has_both_templates_and_renders() -> None:
    sample = {
        "question_id": "q7",
        "seq": 2,
        "kept_seq": 3,
        "state": "submitted",
        "closes_at": DEADLINE.isoformat(),
        "deadline_at": DEADLINE.isoformat(),
    }
    for code, (en, zh) in SaveReason.templates.items():
        assert en.strip() and zh.strip()
        reason = SaveReason(code, sample)
        assert "{" not in reason.message("en") + reason.message("zh_CN")
        assert reason.message("en") != reason.message("zh-CN")
        json.dumps(reason.params)
