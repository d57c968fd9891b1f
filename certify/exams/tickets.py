"""Admission tickets (准考证): what one ticket shows, and its QR code of the ticket number for check-in.

`ticket_context(attempt)` is what `templates/exams/sessions/_ticket.html` renders; the candidate's exam page
includes the same partial. The QR code is a PNG data: URI (the CSP allows data: images), error correction M,
a 4-module quiet zone, sized to print about 25 mm wide.
"""

from __future__ import annotations

import base64
import io

import qrcode
from flask import url_for
from qrcode.constants import ERROR_CORRECT_M

from certify.core.db import db
from certify.exams.models import ExamAttempt
from certify.exams.session_rules import TimeAllowance, minutes_text, time_allowance
from certify.institutions.identity import mask_id
from certify.institutions.models import Body


def qr_png(text: str, box_size: int = 8) -> bytes:
    """A PNG QR code of `text` (level M, 4-module quiet zone)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=box_size)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").get_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as a data: URI for an <img>."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


def allowance_of(attempt: ExamAttempt) -> TimeAllowance:
    """The candidate's time from the accommodation, against the session's window (before any added time)."""
    session = attempt.session
    window = int((session.closes_at - session.opens_at).total_seconds())
    return time_allowance(session.duration_minutes, attempt.time_multiplier, attempt.extra_minutes, window)


def ticket_context(attempt: ExamAttempt) -> dict:
    """Everything one admission ticket shows: photo URL (access-checked route), name, masked ID, session,
    occupation and level, site and address, room, seat, window and duration (UTC; the template shows local
    time), and the QR code of the ticket number. Render with `templates/exams/sessions/_ticket.html`."""
    session = attempt.session
    candidate = attempt.candidate
    room = attempt.session_room
    body = db.session.get(Body, session.body_id)
    minutes = session.duration_minutes
    allowance = allowance_of(attempt)
    return {
        "attempt_id": attempt.id,
        "ticket_number": attempt.ticket_number,
        "qr": qr_data_uri(attempt.ticket_number),
        "photo_url": url_for("exams.ticket_photo", attempt_id=attempt.id) if candidate.photo is not None else None,
        "name": candidate.name,
        "id_type": candidate.id_type,
        "masked_id": mask_id(candidate.id_number),
        "body": body.name,
        "session": session.name,
        "occupation": session.occupation,
        "level": session.level_ordinal,
        "site": session.site.name,
        "address": session.site.address,
        "room": room.room.name,
        "seat": attempt.seat,
        "opens_at": session.opens_at,
        "closes_at": session.closes_at,
        "duration_minutes": minutes,
        #: the candidate's real time (e.g. "122.5") when an accommodation changes it (None otherwise), capped by
        #: the window close, and whether the cap bites
        "allowance_minutes": minutes_text(allowance.seconds) if allowance.seconds != minutes * 60 else None,
        "allowance_capped": allowance.capped,
    }
