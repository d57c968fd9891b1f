"""Random, replayable drawing of panels (考评组, invigilator teams, review panels) that satisfy every rule.

The draw fills one seat at a time in a random order and keeps a choice only if a max-flow check proves the
rest can still be completed, so a feasible world always yields a valid draw; when the world is infeasible the
same flow network names the binding constraint and the shortfall. Inputs are sorted canonically first, so
the same seed and the same facts give the same panels whatever order the caller listed them in.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from networkx.algorithms.flow import edmonds_karp

from certify.recusal.policy import RotationPolicy, SessionKind, StaffGrade, StaffingPolicy
from certify.recusal.rules import Verdict
from certify.recusal.texts import DRAW_MESSAGES, render

ALGORITHM = "seat-by-seat random with max-flow look-ahead v1"
_GRADE_RANK = {StaffGrade.INVIGILATOR: 0, StaffGrade.ASSESSOR: 1, StaffGrade.SENIOR_ASSESSOR: 2}
_STAGES = ("pool", "grade", "card", "consecutive", "conflict")


@dataclass(frozen=True)
class HistoryEntry:
    """A session a staff member worked: its date, site and the group (panel) id they sat in."""

    session_date: date
    site: int
    group_id: int | None = None


@dataclass(frozen=True)
class StaffMember:
    """A pool member with their grade, qualification card expiry (inclusive) and work history."""

    id: int
    grade: StaffGrade
    card_valid_until: date | None
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class SessionInfo:
    """The session being staffed."""

    id: int
    site: int
    date: date
    level_ordinal: int
    kind: SessionKind


@dataclass(frozen=True)
class CandidateGroup:
    """Candidates served by one panel (a theory room, a skill station, a review panel)."""

    key: str
    candidates: tuple[int, ...]


@dataclass(frozen=True)
class DrawRequest:
    """Everything a draw depends on; conflicts are (staff, candidate) pairs and/or a `may_act` callable."""

    seed: int
    session: SessionInfo
    candidates: tuple[int, ...]  #: with `groups`, must equal the union of their candidates (or be empty)
    pool: tuple[StaffMember, ...]
    groups: tuple[CandidateGroup, ...] = ()  #: empty = one group "1" holding every candidate
    previous_groups: tuple[tuple[int, ...], ...] = ()  #: panels of the previous session at this site
    conflicts: frozenset[tuple[int, int]] = frozenset()
    may_act: Callable[[int, int], Verdict | bool] | None = field(default=None, compare=False, hash=False)
    staffing: StaffingPolicy = field(default_factory=StaffingPolicy)
    rotation: RotationPolicy = field(default_factory=RotationPolicy)


@dataclass(frozen=True)
class Panel:
    """A drawn or proposed panel: its members (sorted), group leader and candidates."""

    group: str
    members: tuple[int, ...]
    leader: int
    candidates: tuple[int, ...]


@dataclass(frozen=True)
class _Text:
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def message(self, locale: str = "en") -> str:
        """The text in English ("en") or Simplified Chinese ("zh_CN")."""
        return render(DRAW_MESSAGES, self.code, self.params, locale)


class Failure(_Text):
    """Why a draw failed or a manual panel is invalid: binding constraint and shortfall."""


class Note(_Text):
    """An explanation line recorded with the draw."""


@dataclass(frozen=True)
class DrawResult:
    """The outcome; record seed, algorithm and inputs_digest so the draw can be replayed and audited."""

    ok: bool
    panels: tuple[Panel, ...]
    seed: int
    explanation: tuple[Note, ...]
    failures: tuple[Failure, ...]
    algorithm: str = ALGORITHM
    inputs_digest: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict to store with the session and in the audit log."""
        return asdict(self)


class _World:
    """The request in canonical order with every per-person and per-group fact worked out once."""

    def __init__(self, request: DrawRequest) -> None:
        self.request = request
        self.session = s = request.session
        self.staffing, self.rotation = request.staffing, request.rotation
        groups = request.groups or (CandidateGroup("1", tuple(request.candidates)),)
        grouped = {c for g in groups for c in g.candidates}
        if request.groups and request.candidates and set(request.candidates) != grouped:
            raise ValueError("candidates and the union of the groups' candidates differ")
        # a group without candidates needs no panel
        self.groups = {
            g.key: tuple(sorted(set(g.candidates))) for g in sorted(groups, key=lambda g: g.key) if g.candidates
        }
        self.pool = {m.id: m for m in sorted(request.pool, key=lambda m: m.id)}
        self.needed = {k: self.staffing.panel_size(s.kind, len(c)) for k, c in self.groups.items()}
        self.grades = self.staffing.required_grades(s.kind, s.level_ordinal)
        # messages name the people needed by the lowest grade that may serve
        self.staff_noun = min(self.grades, key=lambda g: _GRADE_RANK[g])
        self.rotating = s.kind in self.rotation.applies_to
        self.previous = {}  # staff id → index of the previous group they sat in
        for index, members in enumerate(request.previous_groups):
            for person in set(members):
                if person in self.previous:
                    raise ValueError(f"previous groups must be disjoint; #{person} is in two of them")
                self.previous[person] = index
        self.conflicts: dict[tuple[int, int], list[str]] = {}
        everyone = sorted({c for cs in self.groups.values() for c in cs})
        for pair in sorted(request.conflicts):
            self.conflicts[pair] = ["declared"]
        for staff in self.pool:
            for cand in everyone:
                if staff == cand:
                    self.conflicts[staff, cand] = ["acting_on_self"]
                elif request.may_act is not None:
                    verdict = request.may_act(staff, cand)
                    allowed = verdict if isinstance(verdict, bool) else verdict.allowed
                    if not allowed:
                        codes = [] if isinstance(verdict, bool) else [r.code for r in verdict.reasons]
                        self.conflicts.setdefault((staff, cand), []).extend(codes or ["may_act"])
        #: first stage that rules each (staff, group) out, None when eligible
        self.blocked = {
            (m, k): next(iter(self.member_problems(self.pool[m], k)), (None,))[0]
            for m in self.pool
            for k in self.groups
        }
        self.eligible = {k: [m for m in self.pool if self.blocked[m, k] is None] for k in self.groups}

    def consecutive(self, member: StaffMember) -> int:
        """Sessions in a row, most recent first and before this session, that `member` worked at this site."""
        count = 0
        for entry in sorted(member.history, key=lambda e: e.session_date, reverse=True):
            if entry.session_date >= self.session.date:
                continue
            if entry.site != self.session.site:
                break
            count += 1
        return count

    def member_problems(self, member: StaffMember, group: str) -> list[tuple[str, dict[str, Any]]]:
        """Every reason `member` may not sit on `group`, as (stage, params)."""
        s, problems = self.session, []
        if member.grade not in self.grades:
            problems.append(("grade", {"grade": member.grade.value}))
        if self.staffing.needs_card(s.kind) and (member.card_valid_until is None or member.card_valid_until < s.date):
            problems.append(("card", {"valid_until": _iso(member.card_valid_until)}))
        limit = self.rotation.max_consecutive_at_site
        if self.rotating and limit is not None and self.consecutive(member) >= limit:
            problems.append(("consecutive", {"count": self.consecutive(member), "max_consecutive": limit}))
        for cand in self.groups[group]:
            if (member.id, cand) in self.conflicts:
                problems.append(("conflict", {"candidate": cand, "codes": self.conflicts[member.id, cand]}))
        return problems

    def max_retained(self, group: str, size: int | None = None) -> int | None:
        """How many members of one previous group this group's panel may keep (None = no limit)."""
        if not self.rotating or not self.previous:
            return None
        return self.rotation.max_retained(self.needed[group] if size is None else size)

    def base_params(self, group: str) -> dict[str, Any]:
        """Params every per-group text shares."""
        return {"unit": self.session.kind.value, "group": group, "staff": self.staff_noun.value}

    def digest(self) -> str:
        """SHA-256 of the canonical inputs, so a replay can prove it used the same facts."""
        facts = {
            "seed": self.request.seed,
            "session": asdict(self.session),
            "groups": self.groups,
            "pool": [asdict(m) for m in self.pool.values()],
            "previous": sorted(sorted(set(g)) for g in self.request.previous_groups),
            "conflicts": sorted([list(p), c] for p, c in self.conflicts.items()),
            "policies": [asdict(self.staffing), asdict(self.rotation)],
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True, default=_canonical).encode()).hexdigest()


def _canonical(value: object) -> object:
    """JSON form of what json cannot encode; sets sorted so the digest is the same in every process."""
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _flow(world: _World, chosen: dict[str, list[int]], use_caps: bool, cut: bool = False) -> tuple[int, int, set]:
    """(max flow, demand, source side of the min cut) for filling the open seats given `chosen`.

    Network: source → group (open seats) → [per previous group: at most max_retained] → staff (1) → sink.
    A flow of -1 means `chosen` itself already breaks the rotation cap.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(["src", "sink"])
    used = {p for members in chosen.values() for p in members}
    demand = 0
    for group, eligible in world.eligible.items():
        need = world.needed[group] - len(chosen[group])
        cap = world.max_retained(group) if use_caps else None
        kept = Counter(world.previous[p] for p in chosen[group] if p in world.previous)
        if cap is not None and any(n > cap for n in kept.values()):
            return -1, 0, set()
        if need <= 0:
            continue
        demand += need
        graph.add_edge("src", ("g", group), capacity=need)
        for staff in eligible:
            if staff in used:
                continue
            prev = world.previous.get(staff)
            if cap is not None and prev is not None:
                graph.add_edge(("g", group), ("c", group, prev), capacity=cap - kept[prev])
                graph.add_edge(("c", group, prev), ("s", staff))
            else:
                graph.add_edge(("g", group), ("s", staff))
            graph.add_edge(("s", staff), "sink", capacity=1)
    if not cut:
        return int(nx.maximum_flow_value(graph, "src", "sink", flow_func=edmonds_karp)), demand, set()
    value, (reachable, _) = nx.minimum_cut(graph, "src", "sink")
    return int(value), demand, set(reachable)


def _group_failures(world: _World) -> list[Failure]:
    failures = []
    for group, needed in world.needed.items():
        remaining, ruled_out, binding = len(world.pool), {}, None
        if remaining < needed:
            binding = "pool"
        for stage in _STAGES[1:]:
            out = sum(1 for m in world.pool if world.blocked[m, group] == stage)
            ruled_out[f"out_{stage}"] = out
            remaining -= out
            if binding is None and remaining < needed:
                binding = stage
        if binding is not None:
            params = {
                **world.base_params(group),
                "needed": needed,
                "available": remaining,
                "short_by": needed - remaining,
                **ruled_out,
                "date": world.session.date.isoformat(),
                "max_consecutive": world.rotation.max_consecutive_at_site,
                "level": world.session.level_ordinal,
            }
            failures.append(Failure(f"{binding}_short", params))
    return failures


def _diagnose(world: _World) -> list[Failure]:
    """The binding constraint(s) of an infeasible world, most specific first, with the shortfall."""
    failures = _group_failures(world)
    if failures:
        return failures
    empty: dict[str, list[int]] = {g: [] for g in world.groups}
    for use_caps, code in ((False, "pool_shared_short"), (True, "rotation_change_short")):
        value, demand, side = _flow(world, empty, use_caps, cut=True)
        if value < demand:
            groups = [g for g in world.groups if ("g", g) in side]
            params = {
                "unit": world.session.kind.value,
                "staff": world.staff_noun.value,
                "groups": groups,
                "needed": sum(world.needed[g] for g in groups),
                "available": sum(1 for n in side if isinstance(n, tuple) and n[0] == "s"),
                "short_by": demand - value,
                "fraction": str(world.rotation.min_change_fraction),
            }
            return [Failure(code, params)]
    return []


def _notes(world: _World) -> list[Note]:
    counts = {
        g: {"candidates": len(c), "needed": world.needed[g], "available": len(world.eligible[g])}
        for g, c in world.groups.items()
    }
    return [Note("group_staffing", {**world.base_params(g), **counts[g]}) for g in world.groups]


def draw_panels(request: DrawRequest) -> DrawResult:
    """Draw one panel per candidate group at random (seeded), satisfying every staffing and recusal rule."""
    world = _World(request)
    notes, digest = _notes(world), world.digest()
    if not world.groups:
        return DrawResult(False, (), request.seed, tuple(notes), (Failure("no_candidates", {}),), ALGORITHM, digest)
    chosen: dict[str, list[int]] = {g: [] for g in world.groups}
    value, demand, _ = _flow(world, chosen, True)
    if value < demand:
        failures = tuple(_diagnose(world))
        return DrawResult(False, (), request.seed, tuple(notes), failures, ALGORITHM, digest)
    rng = random.Random(request.seed)
    for group, eligible in world.eligible.items():
        options = list(eligible)
        rng.shuffle(options)
        for staff in options:
            if len(chosen[group]) == world.needed[group]:
                break
            if any(staff in members for members in chosen.values()):
                continue
            chosen[group].append(staff)
            value, demand, _ = _flow(world, chosen, True)
            if value < demand:  # taking `staff` here would make another seat impossible to fill
                chosen[group].pop()
    panels = []
    for group, members in chosen.items():
        top = max(_GRADE_RANK[world.pool[m].grade] for m in members)
        leader = rng.choice(sorted(m for m in members if _GRADE_RANK[world.pool[m].grade] == top))
        panels.append(Panel(group, tuple(sorted(members)), leader, world.groups[group]))
    notes.append(Note("drawn", {"seed": request.seed, "algorithm": ALGORITHM}))
    return DrawResult(True, tuple(panels), request.seed, tuple(notes), (), ALGORITHM, digest)


def validate_panel(request: DrawRequest, panel: Panel) -> tuple[Failure, ...]:
    """Every problem with one manually chosen panel (size, odd, grade, card, rotation, conflicts, leader)."""
    return _validate(_World(request), panel)


def _validate(world: _World, panel: Panel) -> tuple[Failure, ...]:
    if panel.group not in world.groups:
        return (Failure("panel_group_unknown", {"unit": world.session.kind.value, "group": panel.group}),)
    base = world.base_params(panel.group)
    failures = []
    expected, given = set(world.groups[panel.group]), set(panel.candidates)
    if expected != given:
        params = {**base, "missing": sorted(expected - given), "extra": sorted(given - expected)}
        failures.append(Failure("panel_candidates_mismatch", params))
    members = list(dict.fromkeys(panel.members))
    needed, size = world.needed[panel.group], len(members)
    if size < needed:
        failures.append(
            Failure("panel_too_small", {**base, "needed": needed, "actual": size, "short_by": needed - size})
        )
    if world.staffing.must_be_odd(world.session.kind) and size % 2 == 0:
        failures.append(Failure("panel_not_odd", {**base, "actual": size}))
    for member in sorted({m for m in panel.members if panel.members.count(m) > 1}):
        failures.append(Failure("member_duplicate", {**base, "member": member}))
    extra = {"date": world.session.date.isoformat()}
    for member in members:
        if member not in world.pool:
            failures.append(Failure("member_not_in_pool", {**base, "member": member}))
            continue
        for stage, params in world.member_problems(world.pool[member], panel.group):
            failures.append(Failure(f"member_{stage}", {**base, **extra, **params, "member": member}))
    if panel.leader not in members:
        failures.append(Failure("leader_not_member", {**base, "leader": panel.leader}))
    cap = world.max_retained(panel.group, size)
    for previous in world.request.previous_groups:
        retained = len(set(members) & set(previous))
        if cap is not None and retained > cap:
            params = {
                **base,
                "retained": retained,
                "max_retained": cap,
                "fraction": str(world.rotation.min_change_fraction),
            }
            failures.append(Failure("rotation_too_few_changed", params))
    return tuple(failures)


def validate_panels(request: DrawRequest, panels: tuple[Panel, ...]) -> tuple[Failure, ...]:
    """Every problem with a full manual staffing: each panel, plus groups left empty and double bookings."""
    world = _World(request)
    failures = [f for panel in panels for f in _validate(world, panel)]
    covered = {p.group for p in panels}
    for group in world.groups:
        if group not in covered:
            failures.append(Failure("group_without_panel", {"unit": world.session.kind.value, "group": group}))
    seats: dict[int, list[str]] = {}
    for panel in panels:
        for member in dict.fromkeys(panel.members):
            seats.setdefault(member, []).append(panel.group)
    for member, groups in sorted(seats.items()):
        if len(groups) > 1:
            params = {"unit": world.session.kind.value, "member": member, "groups": groups}
            failures.append(Failure("member_in_two_panels", params))
    return tuple(failures)
