"""Enrolment: from approved applications (chosen or all) and from a roster file; seats room by room within each
room's seats, refused when they run out (saying how many are missing); printable unique ticket numbers; moving a
candidate; accommodation profiles. Every refusal names every problem and stores nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest

from certify.applications.models import ApplicationState
from certify.auth.models import Role
from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import enrolment_ops, sessions_ops
from certify.exams.models import ExamAttempt
from certify.institutions.models import Person
from tests.bank.test_blueprints_support import count_rows
from tests.bank.world import LEVEL
from tests.exams.test_sessions_support import (
    approve_application,
    audit_entries,
    session_values,
    sessions_world,
    texts,
)
from tests.factories import make_body, make_user


@pytest.fixture
def world(app):
    return sessions_world(candidates=4)


def test_approved_applications_are_seated_room_by_room_with_printable_unique_tickets(world):
    apps = world.applications
    attempts = enrolment_ops.enrol_from_applications(world.session, [a.id for a in apps], world.admin)
    db.session.commit()
    assert [(a.session_room.room.name, a.seat) for a in attempts] == [
        ("第1考场", 1), ("第1考场", 2), ("第1考场", 3), ("第2考场", 1),
    ]  # fmt: skip
    year = world.session.opens_at.year  # two days ahead: the same local year except around New Year
    tickets = [a.ticket_number for a in attempts]
    assert len(set(tickets)) == 4 and all(t.isdigit() and len(t) == 12 for t in tickets)
    assert tickets[0][8:] == "0001" and tickets[-1][8:] == "0004"
    assert tickets[0][4:8] == f"{world.session.id:04d}" and abs(int(tickets[0][:4]) - year) <= 1
    assert [a.application_id for a in attempts] == [a.id for a in apps]
    assert all(a.paper_id is None for a in attempts)  # no papers yet
    after = json.loads(audit_entries("exams.candidates_enrolled")[-1].after)
    assert after["source"] == "applications" and [c["ticket"] for c in after["candidates"]] == tickets


def test_enrol_all_takes_every_waiting_approved_application_once(world):
    enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)
    # a second approved application of the same person does not give a second seat
    approve_application(world.candidates[1], world.bank)
    attempts = enrolment_ops.enrol_all_approved(world.session, world.admin)
    db.session.commit()
    assert len(attempts) == 3 and len(world.session.attempts) == 4
    assert [a.ticket_number[8:] for a in attempts] == ["0002", "0003", "0004"]
    with pytest.raises(Refused) as refused:
        enrolment_ops.enrol_all_approved(world.session, world.admin)
    assert texts(refused.value) == "No approved application is waiting for this session."


def test_every_bad_application_is_named_and_nothing_is_enrolled(world, app):
    apps = world.applications
    enrolment_ops.enrol_from_applications(world.session, [apps[0].id], world.admin)
    db.session.commit()
    apps[1].state = ApplicationState.SUBMITTED
    apps[2].level_ordinal = 3
    foreign_body = make_body("另一评价机构", "12")
    stranger = make_user("stranger", Role.CANDIDATE, body=foreign_body)
    foreign = approve_application(stranger, world.bank)
    foreign.body_id = foreign_body.id
    db.session.commit()
    ids = [apps[0].id, apps[1].id, apps[2].id, foreign.id, 999_999, apps[3].id]
    with pytest.raises(Refused) as refused:
        enrolment_ops.enrol_from_applications(world.session, ids, world.admin)
    db.session.rollback()
    assert [p.code for p in refused.value.problems] == [
        "session_already_enrolled", "session_application_not_approved", "session_application_mismatch",
        "session_application_unknown", "session_application_unknown",
    ]  # fmt: skip
    message = texts(refused.value)
    assert "Scand1 is already enrolled (ticket " in message and f"#{foreign.id}" in message
    assert count_rows(ExamAttempt) == 1


def test_when_seats_run_out_the_refusal_says_how_many_are_missing(world):
    more = [make_user(f"late{n}", Role.CANDIDATE, body=world.body) for n in range(3)]
    apps = world.applications + [approve_application(user, world.bank) for user in more]
    with pytest.raises(Refused) as refused:
        enrolment_ops.enrol_from_applications(world.session, [a.id for a in apps], world.admin)
    db.session.rollback()
    assert texts(refused.value).startswith("Not enough seats: 7 candidates need seats but only 6 are free; 1 seats")
    assert count_rows(ExamAttempt) == 0
    # into one chosen room: only its three seats count
    with pytest.raises(Refused) as refused:
        enrolment_ops.enrol_from_applications(
            world.session, [a.id for a in apps[:4]], world.admin, world.session.rooms[1]
        )
    assert refused.value.problems[0].params == {"needed": 4, "free": 3, "missing": 1}


def test_candidates_can_be_enrolled_into_a_chosen_room(world):
    second = world.session.rooms[1]
    attempts = enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin, second)
    assert (attempts[0].session_room_id, attempts[0].seat) == (second.id, 1)


def test_nobody_is_enrolled_once_the_window_opened(world):
    with frozen(world.session.opens_at), pytest.raises(Refused) as refused:
        enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)
    assert "candidates can no longer be enrolled" in texts(refused.value)


def _roster(rows: list[list], header=("证件号码", "姓名"), xlsx: bool = False) -> bytes:
    if xlsx:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["2026年考生名单"])  # a title row above the header
        sheet.append(list(header))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\ufeff" + "\n".join(lines)).encode()


def _person(user) -> Person:
    return db.session.get(Person, user.person_id)


def test_a_roster_enrols_registered_people_of_the_body_by_id_number(world):
    people = [_person(u) for u in world.candidates[:2]]
    walk_in = _person(make_user("walkin", Role.CANDIDATE, body=world.body))  # no application: the roster decides
    rows = [[p.id_number, p.name] for p in (*people, walk_in)]
    attempts = enrolment_ops.import_roster(world.session, _roster(rows, xlsx=True), "名单.xlsx", world.admin)
    db.session.commit()
    assert [a.candidate_person_id for a in attempts] == [people[0].id, people[1].id, walk_in.id]
    assert [a.application_id for a in attempts] == [world.applications[0].id, world.applications[1].id, None]
    assert json.loads(audit_entries("exams.candidates_enrolled")[-1].after)["source"] == "roster"


def test_every_bad_roster_row_is_reported_with_row_field_and_reason_and_nothing_is_enrolled(world):
    people = [_person(u) for u in world.candidates]
    enrolment_ops.enrol_from_applications(world.session, [world.applications[3].id], world.admin)
    db.session.commit()
    outsider = _person(make_user("foreigner", Role.CANDIDATE, body=make_body("外机构", "12")))
    rows = [
        [people[0].id_number, people[0].name],  # row 2: fine
        [people[1].id_number, "别人"],  # row 3: another name
        ["", people[2].name],  # row 4: no ID number
        [outsider.id_number, outsider.name],  # row 5: not a person of this body
        [people[0].id_number.lower(), people[0].name],  # row 6: repeats row 2 (case folded)
        [people[3].id_number, people[3].name],  # row 7: already enrolled
        [people[2].id_number, ""],  # row 8: no name
    ]
    with pytest.raises(Refused) as refused:
        enrolment_ops.import_roster(world.session, _roster(rows), "名单.csv", world.admin)
    db.session.rollback()
    found = [(p.params.get("row"), p.field, p.code) for p in refused.value.problems]
    assert found[:3] == [
        (4, "id_number", "session_roster_value_required"),
        (6, "id_number", "session_roster_duplicate"),
        (8, "name", "session_roster_value_required"),
    ]
    # the file's own problems come first; what only the database knows is reported once the file is readable
    with pytest.raises(Refused) as refused:
        enrolment_ops.import_roster(world.session, _roster([rows[0], rows[1], rows[3], rows[5]]), "a.csv", world.admin)
    db.session.rollback()
    found = [(p.params.get("row"), p.field, p.code) for p in refused.value.problems]
    assert found == [
        (3, "name", "session_roster_name_differs"),
        (4, "id_number", "session_roster_unknown"),
        (5, "id_number", "session_roster_enrolled"),
    ]
    message = texts(refused.value)
    assert f"differs from the registered name {people[1].name}" in message
    assert outsider.id_number not in message and outsider.id_number[-4:] in message  # masked
    assert count_rows(ExamAttempt) == 1


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "register_file_empty"),
        (b"\xd0\xcf\x11\xe0rest", "a.xls", "register_xls_not_supported"),
        ("姓名,电话\n张三,1".encode(), "a.csv", "session_roster_missing_column"),
        ("名单\n随便".encode(), "a.csv", "session_roster_no_header"),
        ("证件号码,姓名\n".encode(), "a.csv", "session_roster_no_rows"),
        (b"PK\x03\x04garbage", "a.xlsx", "register_xlsx_unreadable"),
    ],
)
def test_unreadable_roster_files_are_refused_with_a_reason(world, data, name, code):
    with pytest.raises(Refused) as refused:
        enrolment_ops.import_roster(world.session, data, name, world.admin)
    assert refused.value.problems[0].code == code
    assert code not in texts(refused.value)  # a registered message, not the bare code


def test_an_id_number_excel_turned_into_a_number_is_reported(world):
    person = _person(world.candidates[0])
    data = _roster([[float(person.id_number[:17] + "0"), person.name]], xlsx=True)
    with pytest.raises(Refused) as refused:
        enrolment_ops.import_roster(world.session, data, "a.xlsx", world.admin)
    assert [(p.params["row"], p.code) for p in refused.value.problems] == [(3, "register_id_stored_as_number")]


def test_a_candidate_moves_to_a_free_seat_or_room_but_never_onto_a_taken_one(world):
    attempts = enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    first, second = world.session.rooms
    moving = attempts[0]
    enrolment_ops.move_candidate(moving, second, None, world.admin)  # first free seat of room 2
    db.session.commit()
    assert (moving.session_room_id, moving.seat) == (second.id, 2)
    with pytest.raises(Refused) as refused:
        enrolment_ops.move_candidate(attempts[1], second, 1, world.admin)
    assert f"Seat 1 of 第2考场 is taken (ticket {attempts[3].ticket_number})" in texts(refused.value)
    with pytest.raises(Refused) as refused:
        enrolment_ops.move_candidate(attempts[1], first, 4, world.admin)
    assert "第1考场 has seats 1 to 3; there is no seat 4." in texts(refused.value)
    db.session.rollback()
    enrolment_ops.move_candidate(attempts[1], first, 1, world.admin)  # the seat freed by the first move
    assert (attempts[1].session_room_id, attempts[1].seat) == (first.id, 1)
    entry = audit_entries("exams.candidate_moved")[-1]
    assert json.loads(entry.before)["seat"] == 2 and json.loads(entry.after)["seat"] == 1


def test_a_started_candidate_stays_in_their_seat(world):
    attempt = enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)[0]
    attempt.started_at = now_utc()
    db.session.commit()
    with pytest.raises(Refused) as refused:
        enrolment_ops.move_candidate(attempt, world.session.rooms[1], None, world.admin)
    assert "has already started the exam" in texts(refused.value)


def test_accommodation_is_set_audited_and_refused_once_started(world):
    attempt = enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)[0]
    values = {"time_multiplier": "1.25", "extra_minutes": 10, "breaks_allowed": 1, "break_minutes": 5,
              "accommodation_note": "视力障碍，已核验证明"}  # fmt: skip
    enrolment_ops.set_accommodation(attempt, values, world.admin)
    db.session.commit()
    assert (str(attempt.time_multiplier), attempt.extra_minutes, attempt.breaks_allowed) == ("1.25", 10, 1)
    entry = audit_entries("exams.accommodation_set")[-1]
    assert json.loads(entry.before)["extra_minutes"] == 0 and json.loads(entry.after)["extra_minutes"] == 10
    attempt.started_at = now_utc()
    db.session.commit()
    with pytest.raises(Refused) as refused:
        enrolment_ops.set_accommodation(attempt, {**values, "extra_minutes": 20}, world.admin)
    assert "the accommodation can no longer change" in texts(refused.value)


def test_bad_accommodation_values_are_all_named(world):
    attempt = enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)[0]
    bad = {"time_multiplier": "0.8", "extra_minutes": -5, "breaks_allowed": 2, "break_minutes": 0,
           "accommodation_note": "x" * 301}  # fmt: skip
    with pytest.raises(Refused) as refused:
        enrolment_ops.set_accommodation(attempt, bad, world.admin)
    assert {p.field: p.code for p in refused.value.problems} == {
        "time_multiplier": "session_multiplier_range",
        "extra_minutes": "session_minutes_range",
        "break_minutes": "session_break_minutes_needed",
        "accommodation_note": "session_note_long",
    }
    with pytest.raises(Refused) as refused:
        enrolment_ops.set_accommodation(attempt, {"time_multiplier": "abc", "breaks_allowed": 2}, world.admin)
    assert {p.field for p in refused.value.problems} == {"time_multiplier"}
    with pytest.raises(Refused) as refused:
        enrolment_ops.set_accommodation(attempt, {"time_multiplier": "1", "breaks_allowed": 2}, world.admin)
    assert [p.code for p in refused.value.problems] == ["session_break_minutes_needed"]


def test_a_session_whose_window_is_next_year_numbers_its_tickets_by_the_local_year(world, app):
    from datetime import UTC, datetime

    opens = datetime(2030, 12, 31, 17, 0, tzinfo=UTC)  # 2031-01-01 01:00 in Shanghai
    values = session_values(world, opens_at=opens, closes_at=opens + timedelta(hours=3))
    session = sessions_ops.create_session(world.body, values, world.admin)
    attempt = enrolment_ops.enrol_from_applications(session, [world.applications[0].id], world.admin)[0]
    assert attempt.ticket_number.startswith("2031")
    assert session.level_ordinal == LEVEL
