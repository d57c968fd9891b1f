"""Evidence is checked by its content, not its name: images up to 3 pages, a single PDF beyond, 10 MB a file."""

from __future__ import annotations

import io
import zlib

import pytest
import sqlalchemy as sa

from certify.applications.evidence import check_piece, clean_filename, pdf_page_count
from certify.applications.models import EvidenceFile
from certify.core.db import db
from tests.applications.test_apply_workflow import (
    apply_world,
    client_for,
    create,
    pdf,
    png,
    text,
    upload,
)
from tests.factories import post_form


@pytest.fixture
def web(app):
    return apply_world(app)


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 20, 30)).save(out, format="JPEG")
    return out.getvalue()


def _files(app_id: int) -> list[EvidenceFile]:
    db.session.expire_all()
    stmt = sa.select(EvidenceFile).where(EvidenceFile.application_id == app_id).order_by(EvidenceFile.id)
    return list(db.session.execute(stmt).scalars())


@pytest.fixture
def draft(web):
    client = client_for(web, "candidate1")
    return client, create(client)


def test_a_png_named_pdf_is_stored_as_the_png_it_is(draft):
    client, app_id = draft
    assert upload(client, app_id, [(png(), "scan.pdf")]).status_code == 302
    (row,) = _files(app_id)
    assert (row.content_type, row.filename, row.pages) == ("image/png", "scan.png", 1)
    download = client.get(f"/applications/{app_id}/evidence/{row.id}")
    assert download.mimetype == "image/png" and download.data == png()


def test_a_pdf_named_jpg_is_stored_as_a_pdf_with_its_pages(draft):
    client, app_id = draft
    assert upload(client, app_id, [(pdf(7), "社保记录.jpg")], "social_insurance").status_code == 302
    (row,) = _files(app_id)
    assert (row.content_type, row.filename, row.pages) == ("application/pdf", "社保记录.pdf", 7)
    assert "社保记录.pdf" in text(client.get(f"/applications/{app_id}"))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([(b"GIF89a not really", "photo.png")], "photo.png is neither a JPEG or PNG image nor a PDF"),
        ([(b"\x00\x01garbage" * 100, "id.jpg")], "id.jpg is neither a JPEG or PNG image nor a PDF"),
        ([(b"%PDF-1.7\nno pages at all\n%%EOF", "empty.pdf")], "empty.pdf starts like a PDF but no page"),
        ([(png(), f"page{i}.png") for i in range(1, 5)], "4 images were chosen: up to 3 pages may be images"),
        ([(pdf(2), "a.pdf"), (png(), "b.png")], "A PDF must be uploaded alone"),
        ([(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "huge.pdf")], "huge.pdf is larger than 10 MB."),
        ([], "Choose at least one file."),
    ],
    ids=["gif", "garbage", "pdf-without-pages", "four-images", "pdf-and-image", "too-big", "nothing"],
)
def test_bad_evidence_is_refused_naming_the_file_and_the_rule(draft, files, message):
    client, app_id = draft
    response = upload(client, app_id, files)
    assert response.status_code == 400 and message in text(response)
    assert _files(app_id) == []


def test_three_images_make_one_piece(draft):
    client, app_id = draft
    files = [(png(), "p1.png"), (_jpeg(), "p2.jpeg"), (png(), "p3.png")]
    assert upload(client, app_id, files, "certificate").status_code == 302
    assert [r.content_type for r in _files(app_id)] == ["image/png", "image/jpeg", "image/png"]


def test_a_file_is_removed_and_the_removal_audited(draft):
    client, app_id = draft
    upload(client, app_id, [(png(), "p1.png")])
    (row,) = _files(app_id)
    response = post_form(client, f"/applications/{app_id}/evidence/{row.id}/delete", page=f"/applications/{app_id}")
    assert response.status_code == 302 and _files(app_id) == []
    assert "Evidence removed" in text(client.get(f"/applications/{app_id}"))


def test_an_unknown_kind_is_refused(draft):
    client, app_id = draft
    response = upload(client, app_id, [(png(), "p.png")], kind="passport_scan")
    assert response.status_code == 400 and "Choose what the evidence shows." in text(response)


# --- the pure checks -------------------------------------------------------------------------------------------


def test_page_count_reads_the_page_tree_root():
    assert pdf_page_count(pdf(1)) == 1 and pdf_page_count(pdf(12)) == 12


def test_page_count_finds_pages_in_compressed_object_streams():
    objects = b"3 0 4 60 << /Type /Pages /Kids [5 0 R 6 0 R] /Count 2 >> << /Type /Page /Parent 3 0 R >>"
    stream = zlib.compress(objects)
    data = (
        b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\n%%EOF"
    )
    assert pdf_page_count(data) == 2


def test_page_count_without_a_page_tree_counts_page_objects_once():
    page = b"<< /Type /Page >>"
    data = b"%PDF-1.4\n" + b"".join(f"{n} 0 obj\n".encode() + page + b"\nendobj\n" for n in (4, 5, 4))
    assert pdf_page_count(data) == 2  # object 4 rewritten by an incremental update counts once


def test_a_compression_bomb_is_not_inflated_without_limit():
    bomb = zlib.compress(b"\x00" * (50 * 1024 * 1024))
    data = b"%PDF-1.4\n1 0 obj\n<< /Length 1 >>\nstream\n" + bomb + b"\nendstream\nendobj\n"
    assert pdf_page_count(data) == 0
    checked, problems = check_piece([("bomb.pdf", data)])
    assert checked is None and problems[0].code == "apply_evidence_pdf_unreadable"


def test_file_names_lose_client_paths_and_control_characters():
    assert clean_filename("C:\\Users\\张\\证书.JPG", ".png") == "证书.png"
    assert clean_filename("../../etc/passwd\x00", None) == "passwd"
    assert clean_filename("", ".pdf") == "evidence.pdf"
