"""The first screen through the web app: a loop whose first stage is a screening stage ranks
its graded candidates with reasons and what would change each position; it decides nothing by
itself, even for a candidate far below the bar; a bulk decision changes nothing until the
person confirms it, and is then logged in their name."""

from __future__ import annotations

import time
from typing import Any

from hireloop.db.models import Answer, BulkAction, Interview, SimilarityPrint
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from tests.web.conftest import CHOICE, CODE, TEXT, builtin_bank, exercise_answers, loop_definition


def _screening_site(make_site: Any) -> tuple[Any, list[int]]:
    site = make_site()
    definition = loop_definition()
    definition["stage"] = [{**definition["stage"][0], "screening": True}]
    definition["pass_rule"] = {"min_overall": 0.6, "min_stage": 0.5}
    with site.platform.db.session() as s:
        record = service.create_loop(s, site.platform, Principal("admin", user_id=1),
                                     definition=definition, team_id=site.ids["team"])
        site.ids["loop"] = record.id
    people = []
    for name, which in (("Strong Screen", (CHOICE, CODE, TEXT)), ("Middle Screen", (CHOICE,)),
                        ("Empty Screen", ())):
        interview_id, link = site.invite(name, f"{name.split()[0].lower()}@example.com",
                                         record.id, [site.ids["interviewer"]])
        web = site.client()
        web.open_invitation(link)
        web.form("/take/consent")
        web.get("/take/stage/0")
        with site.platform.db.session() as s:
            answers = [{"id": x.id, "exercise_id": x.exercise_id, "seed": x.seed}
                       for x in s.query(Answer).filter_by(interview_id=interview_id)]
        good = exercise_answers(builtin_bank(), answers)
        for answer in answers:
            if answer["exercise_id"] in which:
                web.json("POST", f"/take/answers/{answer['id']}/save", good[answer["id"]])
        web.form("/take/stage/0/submit")
        people.append(interview_id)
    site.wait_for_jobs()
    for _ in range(600):  # similarity indexing follows each grade in its own transaction
        with site.platform.db.session() as s:
            indexed = s.query(SimilarityPrint).count()
        if indexed >= 2:
            break
        time.sleep(0.2)
    return site, people


def _decisions(site: Any, ids: list[int]) -> list[tuple[str | None, int | None]]:
    with site.platform.db.session() as s:
        return [(s.get(Interview, i).decision, s.get(Interview, i).decided_by) for i in ids]


def test_the_shortlist_ranks_with_reasons_and_decides_nothing_by_itself(
    make_site: Any,
) -> None:
    site, (strong, middle, empty) = _screening_site(make_site)
    manager = site.client()
    manager.login("manager@example.com")
    url = f"/team/loops/{site.ids['loop']}/shortlist"
    page = manager.get(url)
    assert page.status_code == 200
    html = page.text
    # ranked best first, each with per-competency scores, evidence and what would move it
    for interview_id in (strong, middle, empty):
        assert f'<tr data-interview="{interview_id}">' in html  # in the ranking
    assert html.index("Strong Screen") < html.index("Middle Screen") < html.index("Empty Screen")
    assert "ml-foundations" in html
    assert "coding" in html
    assert 'class="evidence"' in html
    assert "up one place:" in html
    assert "down one place:" in html
    assert "below the stage&#39;s bar of 50%" in html
    # nobody was rejected (or anything else) by the ranking, not even the empty screen
    assert _decisions(site, [strong, middle, empty]) == [(None, None)] * 3

    # a bulk rejection asks first, and changes nothing until confirmed
    asked = manager.form(f"{url}/bulk", {"decision": "reject", "reason": "below the bar",
                                         "interview": [middle, empty]})
    assert asked.status_code == 200
    assert "Confirm: reject 2 candidate(s)" in asked.text
    assert _decisions(site, [strong, middle, empty]) == [(None, None)] * 3
    done = manager.form(f"{url}/bulk", {"decision": "reject", "reason": "below the bar",
                                        "interview": [middle, empty], "confirm": "yes"})
    assert done.status_code == 303
    manager_id = site.ids["manager"]
    assert _decisions(site, [strong, middle, empty]) == [
        (None, None), ("reject", manager_id), ("reject", manager_id)]
    with site.platform.db.session() as s:
        logged = s.query(BulkAction).one()
        assert (logged.user_id, logged.decision, logged.interview_ids) == (
            manager_id, "reject", [middle, empty])
    log = manager.get(url).text
    assert "manager@example.com" in log.split("Bulk decisions")[1]


def test_a_bulk_decision_needs_a_reason_and_the_loops_own_candidates(make_site: Any) -> None:
    site, (strong, _, _) = _screening_site(make_site)
    manager = site.client()
    manager.login("manager@example.com")
    url = f"/team/loops/{site.ids['loop']}/shortlist/bulk"
    no_reason = manager.form(url, {"decision": "reject", "reason": " ", "interview": [strong],
                                   "confirm": "yes"})
    assert no_reason.status_code == 422
    other = manager.form(url, {"decision": "advance", "reason": "x",
                               "interview": [site.ids["a"]], "confirm": "yes"})
    assert other.status_code == 404   # Ada's interview is in another loop
    assert _decisions(site, [strong, site.ids["a"]]) == [(None, None), (None, None)]
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    assert interviewer.get(f"/team/loops/{site.ids['loop']}/shortlist").status_code in (
        403, 404)
