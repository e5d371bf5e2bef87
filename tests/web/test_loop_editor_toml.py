"""The loop editor shows a loop as TOML and saves what comes back: nothing may be lost."""

from __future__ import annotations

from hireloop.hiring.service import loop_to_toml, parse_loop_toml


def test_the_editor_s_toml_keeps_blind_screening_and_live_stages() -> None:
    loop = {"title": "Onsite", "role": "ML engineer", "blind": True, "stage": [
        {"name": "Screen", "minutes": 20, "screening": True, "exercises": ["coding/edit-distance"]},
        {"name": "Pairing", "minutes": 45, "live": True, "exercises": ["coding/edit-distance"]},
        {"name": "Written", "minutes": 30, "exercises": ["coding/edit-distance"]}]}
    back = parse_loop_toml(loop_to_toml(loop))
    assert back["blind"] is True
    assert [s.get("screening", False) for s in back["stage"]] == [True, False, False]
    assert [s.get("live", False) for s in back["stage"]] == [False, True, False]
