"""Searching the bank finds words a user reads, never the storage format's keys or punctuation."""

from __future__ import annotations

from certify.bank import questions_ops
from certify.core.db import db
from tests.bank.test_questions_ops import choice
from tests.bank.world import LEVEL, OCCUPATION, bank_world
from tests.factories import login


def test_text_search_matches_question_words_only(client):
    w = bank_world()
    first = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    second = questions_ops.create_question(
        w.body,
        w.occupation,
        LEVEL,
        choice(stem="青铜器除锈应先做试验。", options=("对照", "直接", "不必", "随意"), explanation="先小面积试验。"),
        w.author,
    )
    db.session.commit()
    login(client, "author1")

    def found(text: str) -> set[int]:
        html = client.get(f"/bank/questions?occupation={OCCUPATION}&q={text}").get_data(as_text=True)
        return {q.id for q in (first, second) if f'/bank/questions/{q.id}"' in html}

    assert found("环氧树脂") == {first.id}  # an option's text
    assert found("除锈") == {second.id}  # a stem's words
    for storage_word in ("stem", "options", "answer", "text_format", "null", "{", '"'):
        assert found(storage_word) == set(), storage_word
