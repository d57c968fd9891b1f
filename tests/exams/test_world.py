"""The shared exam world builds, and its timing is what the exam tests assume."""

from certify.core.clock import now_utc
from certify.exams.clocks import timing_for
from certify.exams.timing import AttemptPhase, state
from tests.exams.world import exam_world


def test_world_has_an_open_session_with_seated_candidates_not_started(app):
    world = exam_world(candidates=6)
    assert [a.seat for a in world.attempts] == [1, 2, 3, 4, 5, 1]
    assert {a.paper.form for a in world.attempts} == {"A", "B"}
    assert sum(i.points for i in world.papers["A"].items) == 100
    assert state(timing_for(world.attempts[0]), now_utc()) is AttemptPhase.NOT_STARTED
