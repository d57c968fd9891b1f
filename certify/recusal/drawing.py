"""Recorded panel draws: inputs gathered from the database, the pure draw, the record that replays it."""

from __future__ import annotations

import json
import secrets
from datetime import date

import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, Site
from certify.recusal import draw as pure_draw
from certify.recusal import queries, rules
from certify.recusal.models import PanelDraw, StaffQualification
from certify.recusal.operations import policy, today
from certify.recusal.policy import Role, SessionKind, StaffGrade
from certify.supervision import audit

ROLE_FOR_KIND = {
    SessionKind.THEORY: Role.INVIGILATOR,
    SessionKind.PRACTICAL: Role.ASSESSOR,
    SessionKind.REVIEW: Role.REVIEW_PANEL,
}
MAX_SEED = 2**53


def _staff(pool: list[int], kind: SessionKind, site_id: int) -> list[pure_draw.StaffMember]:
    cards = {
        q.person_id: q
        for q in db.session.execute(
            sa.select(StaffQualification).where(StaffQualification.person_id.in_(pool))
        ).scalars()
    }
    history: dict[int, list[pure_draw.HistoryEntry]] = {p: [] for p in pool}
    for row in db.session.execute(
        sa.select(PanelDraw).where(PanelDraw.site_id == site_id, PanelDraw.ok.is_(True)).order_by(PanelDraw.id)
    ).scalars():
        for panel in json.loads(row.result)["panels"]:
            for member in panel["members"]:
                if member in history:
                    history[member].append(pure_draw.HistoryEntry(row.session_date, row.site_id, row.id))
    members = []
    for person in sorted(pool):
        card = cards.get(person)
        grade = card.grade if card else StaffGrade.INVIGILATOR if kind is SessionKind.THEORY else StaffGrade.ASSESSOR
        members.append(pure_draw.StaffMember(person, grade, card.valid_until if card else None, tuple(history[person])))
    return members


def _conflicts(pool: list[int], candidates: list[int], role: Role, day: date) -> frozenset[tuple[int, int]]:
    facts = queries.facts_for(set(pool) | set(candidates))
    blocked = set()
    for staff in pool:
        for candidate in candidates:
            verdict = rules.decide(
                staff,
                role,
                day,
                candidate=candidate,
                relations=facts.relations,
                employments=facts.employments,
                training_duties=facts.training_duties,
                overrides=facts.overrides,
                policy=policy(),
            )
            if not verdict.allowed:
                blocked.add((staff, candidate))
    return frozenset(blocked)


def _previous_groups(site_id: int, kind: SessionKind, before: date) -> tuple[tuple[int, ...], ...]:
    row = db.session.execute(
        sa.select(PanelDraw)
        .where(
            PanelDraw.site_id == site_id,
            PanelDraw.kind == kind,
            PanelDraw.ok.is_(True),
            PanelDraw.session_date < before,
        )
        .order_by(PanelDraw.session_date.desc(), PanelDraw.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return ()
    return tuple(tuple(p["members"]) for p in json.loads(row.result)["panels"])


def _request_from_inputs(inputs: dict) -> pure_draw.DrawRequest:
    session = inputs["session"]
    return pure_draw.DrawRequest(
        seed=inputs["seed"],
        session=pure_draw.SessionInfo(
            session["id"],
            session["site"],
            date.fromisoformat(session["date"]),
            session["level_ordinal"],
            SessionKind(session["kind"]),
        ),
        candidates=tuple(inputs["candidates"]),
        pool=tuple(
            pure_draw.StaffMember(
                m["id"],
                StaffGrade(m["grade"]),
                date.fromisoformat(m["card_valid_until"]) if m["card_valid_until"] else None,
                tuple(pure_draw.HistoryEntry(date.fromisoformat(h[0]), h[1], h[2]) for h in m["history"]),
            )
            for m in inputs["pool"]
        ),
        previous_groups=tuple(tuple(g) for g in inputs["previous_groups"]),
        conflicts=frozenset(tuple(c) for c in inputs["conflicts"]),
    )


def _inputs(seed, site, session_date, level, kind, candidates, staff, previous, conflicts) -> dict:
    return {
        "seed": seed,
        "session": {
            "id": 0,
            "site": site.id,
            "date": session_date.isoformat(),
            "level_ordinal": level,
            "kind": kind.value,
        },
        "candidates": sorted(candidates),
        "pool": [
            {
                "id": m.id,
                "grade": m.grade.value,
                "card_valid_until": m.card_valid_until.isoformat() if m.card_valid_until else None,
                "history": [[h.session_date.isoformat(), h.site, h.group_id] for h in m.history],
            }
            for m in staff
        ],
        "previous_groups": [list(g) for g in previous],
        "conflicts": sorted([list(c) for c in conflicts]),
    }


def draw(
    body: Body,
    site: Site,
    session_date: date,
    level: int,
    kind: SessionKind | str,
    candidates: list[int],
    pool: list[int],
    *,
    drawn_by,
    seed: int | None = None,
    redraw_reason: str | None = None,
) -> PanelDraw:
    """Draw panels for a session at random (seeded), record everything needed to replay it, audit it.

    A session that already has a valid draw is drawn again only with a reason: the new draw supersedes the old
    one, and both stay on record (nobody redraws quietly until the panel suits them).
    """
    kind = SessionKind(kind)
    problems = []
    if site.body_id != body.id:
        problems.append(Problem("site_not_of_body", "site_id"))
    if not candidates:
        problems.append(Problem("draw_no_candidates", "candidates"))
    if not pool:
        problems.append(Problem("draw_no_pool", "pool"))
    if seed is not None and not 0 <= seed < MAX_SEED:
        problems.append(Problem("draw_bad_seed", "seed", {"max": MAX_SEED - 1}))
    previous_draw = db.session.execute(
        sa.select(PanelDraw.id)
        .where(
            PanelDraw.body_id == body.id,
            PanelDraw.site_id == site.id,
            PanelDraw.session_date == session_date,
            PanelDraw.kind == kind,
            PanelDraw.level_ordinal == level,
            PanelDraw.ok.is_(True),
        )
        .order_by(PanelDraw.id.desc())
        .limit(1)
    ).scalar()
    if previous_draw is not None and not (redraw_reason or "").strip():
        problems.append(Problem("redraw_reason_required", "redraw_reason", {"id": previous_draw}))
    if problems:
        raise Refused(problems)
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    staff = _staff(pool, kind, site.id)
    conflicts = _conflicts(pool, candidates, ROLE_FOR_KIND[kind], session_date)
    previous = _previous_groups(site.id, kind, session_date)
    inputs = _inputs(seed, site, session_date, level, kind, candidates, staff, previous, conflicts)
    if previous_draw is not None:
        inputs["redraw_of"], inputs["redraw_reason"] = previous_draw, redraw_reason.strip()
    result = pure_draw.draw_panels(_request_from_inputs(inputs))
    row = PanelDraw(
        body_id=body.id,
        site_id=site.id,
        session_date=session_date,
        level_ordinal=level,
        kind=kind,
        seed=seed,
        inputs=audit.canonical_json(inputs),
        inputs_digest=result.inputs_digest,
        result=audit.canonical_json(result.as_dict()),
        ok=result.ok,
        drawn_by_id=drawn_by.id,
        drawn_at=now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "recusal.panel_drawn",
        object_type="panel_draw",
        object_id=row.id,
        after={
            "seed": seed,
            "ok": result.ok,
            "digest": result.inputs_digest,
            "panels": [list(p.members) for p in result.panels],
            "failures": [f.code for f in result.failures],
        },
    )
    return row


def superseded(rows: list[PanelDraw]) -> dict[int, int]:
    """Which recorded draws a later redraw replaced: {old id: new id}."""
    replaced = {}
    for row in rows:
        redraw_of = json.loads(row.inputs).get("redraw_of")
        if redraw_of is not None:
            replaced[redraw_of] = row.id
    return replaced


def conflicts_now(row: PanelDraw) -> list[tuple[int, int, rules.Verdict]]:
    """Panel member–candidate pairs of a recorded draw that the engine blocks today (facts found since)."""
    result = result_of(row)
    people = {m for p in result.panels for m in p.members} | {c for p in result.panels for c in p.candidates}
    facts = queries.facts_for(people)
    role = ROLE_FOR_KIND[row.kind]
    found = []
    for panel in result.panels:
        for member in panel.members:
            for candidate in panel.candidates:
                verdict = rules.decide(
                    member,
                    role,
                    today(),
                    candidate=candidate,
                    relations=facts.relations,
                    employments=facts.employments,
                    training_duties=facts.training_duties,
                    overrides=facts.overrides,
                    policy=policy(),
                )
                if not verdict.allowed:
                    found.append((member, candidate, verdict))
    return found


def replay(row: PanelDraw) -> bool:
    """Run the recorded draw again from its stored inputs: True when it gives exactly the recorded result."""
    result = pure_draw.draw_panels(_request_from_inputs(json.loads(row.inputs)))
    return audit.canonical_json(result.as_dict()) == row.result


def result_of(row: PanelDraw) -> pure_draw.DrawResult:
    """The stored result as the pure objects (for rendering messages in the user's language)."""
    data = json.loads(row.result)
    return pure_draw.DrawResult(
        data["ok"],
        tuple(
            pure_draw.Panel(p["group"], tuple(p["members"]), p["leader"], tuple(p["candidates"]))
            for p in data["panels"]
        ),
        data["seed"],
        tuple(pure_draw.Note(n["code"], n["params"]) for n in data["explanation"]),
        tuple(pure_draw.Failure(f["code"], f["params"]) for f in data["failures"]),
        data["algorithm"],
        data["inputs_digest"],
    )
