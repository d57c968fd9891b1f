"""Fast track by competition (竞赛直接认定): a configurable table turns a result into the level awarded.

The table is keyed by competition class × rank range × participant type (DOMAIN.md "Fast track"); a winner
who already holds the awarded level moves up one, at most one competition promotion per person per calendar
year, never above 高级技师 (ordinal 6), and only provincial-or-higher competitions may lead to 高级工 or above
(seed policy). `award` collects every reason for a refusal at once. Exceptional talent (破格) is in
`certify.ladder.eligibility_exceptional`.

Mapping table JSON (`load_mapping_table`)::

    {"rows": [{"competition_class": "national", "rank_from": 1, "rank_to": 5,
               "participant_type": "employee", "awarded_level": 5}, …]}
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from certify.ladder.eligibility_messages import JSON_TEMPLATES, Reason


class CompetitionClass(enum.StrEnum):
    """Competition classes, highest first."""

    NATIONAL = "national"
    NATIONAL_INDUSTRY = "national_industry"
    PROVINCIAL_CLASS_1 = "provincial_class_1"
    PROVINCIAL_CLASS_2 = "provincial_class_2"
    MUNICIPAL = "municipal"

    @property
    def standing(self) -> int:
        """Higher is more senior: national 5 … municipal 1."""
        return len(CompetitionClass) - list(CompetitionClass).index(self)


class ParticipantType(enum.StrEnum):
    """Whether the competitor took part as an employee or as a student."""

    EMPLOYEE = "employee"
    STUDENT = "student"


@dataclass(frozen=True)
class Competition:
    """A skills competition of a class, held on a date."""

    id: str
    name: str
    competition_class: CompetitionClass
    held_on: date


@dataclass(frozen=True)
class CompetitionResult:
    """One person's final rank in a competition."""

    person_id: str
    competition: Competition
    rank: int
    participant_type: ParticipantType


@dataclass(frozen=True)
class MappingRow:
    """class × rank range (inclusive) × participant type → level ordinal awarded."""

    competition_class: CompetitionClass
    rank_from: int
    rank_to: int
    participant_type: ParticipantType
    awarded_ordinal: int

    @property
    def key(self) -> tuple[CompetitionClass, ParticipantType]:
        """Rows with the same key must not overlap in rank."""
        return self.competition_class, self.participant_type

    def matches(self, result: CompetitionResult) -> bool:
        """True when the result falls in this row."""
        return (
            self.competition_class == result.competition.competition_class
            and self.participant_type == result.participant_type
            and self.rank_from <= result.rank <= self.rank_to
        )


@dataclass(frozen=True)
class Promotion:
    """A competition promotion a person already received."""

    awarded_on: date
    level: int


@dataclass(frozen=True)
class FastTrackPolicy:
    """Configurable limits of competition promotions (defaults from DOMAIN.md)."""

    max_per_year: int = 1  #: competition promotions per person per calendar year
    max_ordinal: int = 6  #: never above 高级技师
    senior_ordinal: int = 4  #: 高级工: the level from which the seed policy applies
    senior_min_class: CompetitionClass = CompetitionClass.PROVINCIAL_CLASS_2  #: provincial or higher


_E, _S = ParticipantType.EMPLOYEE, ParticipantType.STUDENT
_C = CompetitionClass

#: Default table (DOMAIN.md): national (incl. the national cultural-relics competition) top 5 → 技师,
#: 6–15 → 高级工; provincial class I top 10 → 技师; students one level lower.
DEFAULT_TABLE: tuple[MappingRow, ...] = (
    MappingRow(_C.NATIONAL, 1, 5, _E, 5),
    MappingRow(_C.NATIONAL, 6, 15, _E, 4),
    MappingRow(_C.NATIONAL, 1, 5, _S, 4),
    MappingRow(_C.NATIONAL, 6, 15, _S, 3),
    MappingRow(_C.NATIONAL_INDUSTRY, 1, 5, _E, 5),
    MappingRow(_C.NATIONAL_INDUSTRY, 6, 15, _E, 4),
    MappingRow(_C.NATIONAL_INDUSTRY, 1, 5, _S, 4),
    MappingRow(_C.NATIONAL_INDUSTRY, 6, 15, _S, 3),
    MappingRow(_C.PROVINCIAL_CLASS_1, 1, 10, _E, 5),
    MappingRow(_C.PROVINCIAL_CLASS_1, 1, 10, _S, 4),
)

_TEMPLATES: dict[str, tuple[str, str]] = JSON_TEMPLATES | {
    "awarded": (
        "Awarded {level} for rank {rank} in a {competition_class}.",
        "凭{competition_class}第{rank}名认定为{level}。",
    ),
    "moved_up_one": (
        "Already holds {table_level}, so moves up one level to {level}.",
        "已取得{table_level}，按规定晋升一级认定为{level}。",
    ),
    "competition_not_held": (
        "The competition is dated {held_on}, after {today}.",
        "竞赛日期{held_on}晚于{today}，尚未举办。",
    ),
    "no_mapping_row": (
        "Rank {rank} as {participant_type} in a {competition_class} earns no level under the table.",
        "按认定对照表，{competition_class}{participant_type}第{rank}名不能直接认定等级。",
    ),
    "already_promoted_this_year": (
        "Already promoted by competition on {previous_on}; at most {max_per_year} per person in {year}.",
        "已于{previous_on}通过竞赛直接认定晋升等级；{year}年内每人至多晋升{max_per_year}次。",
    ),
    "already_holds_higher": (
        "Already holds {current_level}, above the {level} the result earns.",
        "已取得{current_level}，高于本次成绩可认定的{level}。",
    ),
    "above_ceiling": (
        "Would reach {level}, above the highest level a competition can award ({max_level}).",
        "认定后将达到{level}，超过竞赛直接认定的最高等级（{max_level}）。",
    ),
    "class_too_low_for_level": (
        "{level} or above needs a {min_class} or higher; this was a {competition_class}.",
        "认定{level}及以上须为{min_class}或更高级别竞赛；本次为{competition_class}。",
    ),
    "bad_rank_range": (
        "{path}: the rank range {rank_from}–{rank_to} must run from 1 upwards.",
        "{path}：名次范围{rank_from}–{rank_to}应从1开始且由小到大。",
    ),
    "bad_awarded_level": (
        "{path}: the awarded level must be an ordinal from 2 to {max_ordinal}, not “{value}”.",
        "{path}：认定等级应为2至{max_ordinal}的序号，当前为“{value}”。",
    ),
    "overlapping_rows": (
        "{path}: ranks {rank_from}–{rank_to} overlap {other} for the same class and participant type.",
        "{path}：名次{rank_from}–{rank_to}与{other}的名次范围重叠（竞赛类别和参赛身份相同）。",
    ),
}


@dataclass(frozen=True)
class FastTrackReason(Reason):
    """Why a competition result earns a level, or why not."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class AwardDecision:
    """The level awarded (None when refused), the row used, notes, and every refusal reason."""

    awarded_ordinal: int | None
    row: MappingRow | None
    notes: tuple[FastTrackReason, ...]
    refusals: tuple[FastTrackReason, ...]

    @property
    def granted(self) -> bool:
        """True when a level is awarded."""
        return self.awarded_ordinal is not None


def award(
    result: CompetitionResult,
    current_level: int | None,
    prior_promotions: tuple[Promotion, ...] | list[Promotion],
    now: date,
    table: tuple[MappingRow, ...] | list[MappingRow] = DEFAULT_TABLE,
    policy: FastTrackPolicy | None = None,
) -> AwardDecision:
    """The level a competition result earns on `now`, or every reason it earns none."""
    policy = policy or FastTrackPolicy()
    competition = result.competition
    base = {
        "rank": result.rank,
        "competition_class": competition.competition_class.value,
        "participant_type": result.participant_type.value,
    }
    refusals: list[FastTrackReason] = []
    notes: list[FastTrackReason] = []
    if competition.held_on > now:
        params = {"held_on": competition.held_on.isoformat(), "today": now.isoformat()}
        refusals.append(FastTrackReason("competition_not_held", params, "competition"))
    this_year = sorted(p.awarded_on for p in prior_promotions if p.awarded_on.year == now.year)
    if len(this_year) >= policy.max_per_year:
        params = {
            "previous_on": this_year[-1].isoformat(),
            "max_per_year": policy.max_per_year,
            "year": now.year,
        }
        refusals.append(FastTrackReason("already_promoted_this_year", params, "person"))
    row = next((r for r in table if r.matches(result)), None)
    level: int | None = None
    if row is None:
        refusals.append(FastTrackReason("no_mapping_row", base, "rank"))
    else:
        level = row.awarded_ordinal
        if current_level is not None and current_level == level:
            level += 1  # "already holds it → one level up"
            notes.append(FastTrackReason("moved_up_one", {"table_level": row.awarded_ordinal, "level": level}))
        elif current_level is not None and current_level > level:
            params = {"current_level": current_level, "level": level}
            refusals.append(FastTrackReason("already_holds_higher", params, "current_level"))
        if level > policy.max_ordinal:
            params = {"level": level, "max_level": policy.max_ordinal}
            refusals.append(FastTrackReason("above_ceiling", params, "level"))
        if level >= policy.senior_ordinal and competition.competition_class.standing < policy.senior_min_class.standing:
            params = base | {"level": policy.senior_ordinal, "min_class": policy.senior_min_class.value}
            refusals.append(FastTrackReason("class_too_low_for_level", params, "competition"))
    if refusals or level is None:
        return AwardDecision(None, row, tuple(notes), tuple(refusals))
    notes.insert(0, FastTrackReason("awarded", base | {"level": level}))
    return AwardDecision(level, row, tuple(notes), ())


def _row(problems: list[FastTrackReason], raw: Any, path: str, policy: FastTrackPolicy) -> MappingRow | None:
    def add(code: str, where: str, **params: Any) -> None:
        problems.append(FastTrackReason(code, {"path": where, **params}, where))

    if not isinstance(raw, dict):
        add("not_an_object", path)
        return None
    keys = {"competition_class", "rank_from", "rank_to", "participant_type", "awarded_level"}
    for extra in sorted(set(raw) - keys):
        add("unknown_field", f"{path}.{extra}")
    before = len(problems)
    parsed: dict[str, Any] = {}
    for key, enum_cls in (("competition_class", CompetitionClass), ("participant_type", ParticipantType)):
        try:
            parsed[key] = enum_cls(raw.get(key))
        except ValueError:
            add(
                "not_in_choices",
                f"{path}.{key}",
                value=str(raw.get(key)),
                choices=[m.value for m in enum_cls],
            )
    rank_from, rank_to = raw.get("rank_from"), raw.get("rank_to")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (rank_from, rank_to)) or not (
        1 <= rank_from <= rank_to
    ):
        add("bad_rank_range", f"{path}.rank_from", rank_from=str(rank_from), rank_to=str(rank_to))
    level = raw.get("awarded_level")
    if not isinstance(level, int) or isinstance(level, bool) or not 2 <= level <= policy.max_ordinal:
        add("bad_awarded_level", f"{path}.awarded_level", value=str(level), max_ordinal=policy.max_ordinal)
    if len(problems) > before:
        return None
    row = MappingRow(parsed["competition_class"], rank_from, rank_to, parsed["participant_type"], level)
    if level >= policy.senior_ordinal and row.competition_class.standing < policy.senior_min_class.standing:
        add(
            "class_too_low_for_level",
            f"{path}.awarded_level",
            level=policy.senior_ordinal,
            min_class=policy.senior_min_class.value,
            competition_class=row.competition_class.value,
        )
    return row


def load_mapping_table(
    data: Any, policy: FastTrackPolicy | None = None
) -> tuple[tuple[MappingRow, ...] | None, list[FastTrackReason]]:
    """Read and validate a mapping table; None and every problem (overlaps, seed policy) when invalid."""
    policy = policy or FastTrackPolicy()
    problems: list[FastTrackReason] = []
    raw_rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(raw_rows, list):
        return None, [FastTrackReason("not_a_list", {"path": "rows"}, "rows")]
    rows = [_row(problems, raw, f"rows[{i}]", policy) for i, raw in enumerate(raw_rows)]
    for i, row in enumerate(rows):
        for j, other in enumerate(rows[:i]):
            same_key = row and other and row.key == other.key
            if same_key and row.rank_from <= other.rank_to and other.rank_from <= row.rank_to:
                where = f"rows[{i}]"
                params = {
                    "path": where,
                    "rank_from": row.rank_from,
                    "rank_to": row.rank_to,
                    "other": f"rows[{j}]",
                }
                problems.append(FastTrackReason("overlapping_rows", params, where))
    if problems:
        return None, problems
    return tuple(r for r in rows if r is not None), []


def table_to_json(table: tuple[MappingRow, ...] | list[MappingRow]) -> dict[str, Any]:
    """The table as JSON data, in the shape `load_mapping_table` reads."""
    return {
        "rows": [
            {
                "competition_class": r.competition_class.value,
                "rank_from": r.rank_from,
                "rank_to": r.rank_to,
                "participant_type": r.participant_type.value,
                "awarded_level": r.awarded_ordinal,
            }
            for r in table
        ]
    }
