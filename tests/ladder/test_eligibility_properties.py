"""Properties: more work history never hurts, and the order of entries never matters."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.ladder.eligibility import bundled_relaxations, evaluate, load_bundled_rulesets
from certify.ladder.eligibility_durations import total_length
from certify.ladder.profile import PriorCertificate, Profile, Title, TitleGrade, WorkEntry

RULESETS = list(load_bundled_rulesets().values())
RELAXATIONS = bundled_relaxations()
NOW = date(2025, 3, 1)
EPOCH = date(1995, 1, 1)
SPAN_DAYS = (NOW - EPOCH).days


@st.composite
def work_entries(draw: st.DrawFn) -> WorkEntry:
    start = EPOCH + timedelta(days=draw(st.integers(0, SPAN_DAYS)))
    ongoing = draw(st.booleans())
    end = None if ongoing else start + timedelta(days=draw(st.integers(0, 6000)))
    return WorkEntry(
        employer="单位",
        start=start,
        end=end,
        relevant=draw(st.booleans()),
        grassroots=draw(st.booleans()),
        remote=False,
    )


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    certificates = tuple(
        PriorCertificate(level, EPOCH + timedelta(days=draw(st.integers(0, SPAN_DAYS))))
        for level in draw(st.lists(st.integers(2, 6), max_size=2))
    )
    titles = tuple(
        Title(grade, EPOCH + timedelta(days=draw(st.integers(0, SPAN_DAYS))))
        for grade in draw(st.lists(st.sampled_from(list(TitleGrade)), max_size=1))
    )
    return Profile(
        birth_date=date(1980, 1, 1),
        work_history=tuple(draw(st.lists(work_entries(), max_size=4))),
        certificates=certificates,
        titles=titles,
    )


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), extra=work_entries(), level=st.integers(2, 6), ruleset_index=st.integers(0, 2))
def test_adding_work_history_never_makes_an_eligible_candidate_ineligible(
    profile: Profile, extra: WorkEntry, level: int, ruleset_index: int
) -> None:
    ruleset = RULESETS[ruleset_index]
    before = evaluate(profile, ruleset, level, NOW, relaxations=RELAXATIONS)
    more = Profile(
        birth_date=profile.birth_date,
        work_history=(*profile.work_history, extra),
        certificates=profile.certificates,
        titles=profile.titles,
    )
    after = evaluate(more, ruleset, level, NOW, relaxations=RELAXATIONS)
    if before.eligible:
        assert after.eligible
    # Option by option too: a passing option keeps passing.
    for old, new in zip(before.options, after.options, strict=True):
        assert new.passed or not old.passed


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), level=st.integers(2, 6), ruleset_index=st.integers(0, 2), data=st.data())
def test_verdict_is_the_same_whatever_order_the_history_is_entered(
    profile: Profile, level: int, ruleset_index: int, data: st.DataObject
) -> None:
    ruleset = RULESETS[ruleset_index]
    shuffled = data.draw(st.permutations(profile.work_history))
    reordered = Profile(
        birth_date=profile.birth_date,
        work_history=tuple(shuffled),
        certificates=tuple(reversed(profile.certificates)),
        titles=profile.titles,
    )
    first = evaluate(profile, ruleset, level, NOW, relaxations=RELAXATIONS).to_json("en")
    second = evaluate(reordered, ruleset, level, NOW, relaxations=RELAXATIONS).to_json("en")
    assert first == second


@settings(max_examples=300, deadline=None)
@given(st.lists(work_entries(), max_size=5), work_entries())
def test_total_work_never_shrinks_when_a_period_is_added(entries: list[WorkEntry], extra: WorkEntry) -> None:
    periods = [e.period(NOW) for e in entries]
    assert total_length([*periods, extra.period(NOW)], NOW) >= total_length(periods, NOW)
