"""A candidate's rights through the web app: the consent page says what is automated, what a
person decides and how to ask for a human review; the candidate downloads everything held
about them (and not the team's notes); a deletion request reaches the admins, and deleting the
candidate removes it."""

from __future__ import annotations

import json
from typing import Any

from hireloop.db.models import Answer, DeletionRequest
from tests.web.conftest import TEXT, builtin_bank, exercise_answers

TEAM_NOTE = "TEAM-NOTE-41c2: seemed nervous"


def test_the_consent_page_says_what_is_automated_and_what_a_person_decides(
    make_site: Any,
) -> None:
    site = make_site()
    a = site.client()
    a.open_invitation(site.ids["link_a"])
    consent = a.get("/take").text
    assert "nothing rejects you automatically" in consent
    assert "right to ask for a human review" in consent
    assert "download a copy of everything held about you" in consent


def test_a_candidate_downloads_their_data_and_asks_for_deletion(make_site: Any) -> None:
    site = make_site()
    a = site.client()
    a.open_invitation(site.ids["link_a"])
    a.form("/take/consent")
    a.get("/take/stage/0")
    with site.platform.db.session() as s:
        answers = [{"id": x.id, "exercise_id": x.exercise_id, "seed": x.seed}
                   for x in s.query(Answer).filter_by(interview_id=site.ids["a"])]
    text_id = next(x["id"] for x in answers if x["exercise_id"] == TEXT)
    written = exercise_answers(builtin_bank(), answers)[text_id]
    a.json("POST", f"/take/answers/{text_id}/save", written)
    a.form("/take/self-identification", {"sex": "Female", "race_ethnicity": "Asian"})
    team = site.client()
    team.login("interviewer@example.com")
    team.form(f"/team/interviews/{site.ids['a']}/notes", {"body": TEAM_NOTE})

    download = a.get("/take/my-data")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = json.loads(download.text)
    assert data["candidate"] == {"name": "Ada Candidate", "email": "ada@example.com"}
    assert data["interview"]["consented_at"]
    assert any(x["text"] == written["text"] for x in data["answers"])
    assert data["self_identification"] == {"sex": "Female", "race_ethnicity": "Asian"}
    assert "internal notes" in data["not_included"]
    assert TEAM_NOTE not in download.text
    # B's link downloads B's data only; without a link there is nothing to download
    b = site.client()
    b.open_invitation(site.ids["link_b"])
    b_data = b.get("/take/my-data").text
    assert "Bob Candidate" in b_data
    assert "Ada Candidate" not in b_data
    assert written["text"][:60] not in b_data
    assert site.client().get("/take/my-data").status_code in (303, 401)   # to sign-in

    assert a.form("/take/deletion-request").status_code == 303
    assert "Your request to delete your data was recorded" in a.get("/take?deletion=1").text
    admin = site.client()
    admin.login("admin@example.com")
    listing = admin.get("/team/candidates").text
    row = next(line for line in listing.splitlines() if "Ada Candidate" in line)
    assert "asked for deletion" in row
    manager = site.client()
    manager.login("manager@example.com")
    assert "asked for deletion" not in manager.get("/team/candidates").text
    with site.platform.db.session() as s:
        candidate_id = s.get(Answer, text_id).interview.candidate_id
    deleted = admin.form(f"/team/candidates/{candidate_id}/delete",
                         {"confirm": "ada@example.com"})
    assert deleted.status_code == 303
    with site.platform.db.session() as s:
        assert s.query(DeletionRequest).count() == 0
