"""Two ``hireloop serve`` processes on one PostgreSQL and one Redis: the candidate edits the
room through one, the interviewer through the other, and both documents converge (updates
relayed through Redis pub/sub); the end of the room, asked of either, grades what both
wrote."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pycrdt import Text

from hireloop.live.client import RoomClient
from tests.web.conftest import TEXT, _drop_postgres, _fresh_postgres, postgres_url, redis_url
from tests.web.server import Api, Server
from tests.web.test_live_room import INTERVIEWER, PASSWORD, live_setup


@pytest.mark.slow
def test_edits_through_two_serve_processes_converge(tmp_path: Path) -> None:
    if postgres_url() is None or redis_url() is None:
        pytest.skip("set HIRELOOP_TEST_POSTGRES_URL and HIRELOOP_TEST_REDIS_URL (scripts/test "
                    "does) to test two processes")
    database = _fresh_postgres(postgres_url())
    env = {"HIRELOOP_DATABASE_URL": database, "HIRELOOP_REDIS_URL": str(redis_url())}
    one, two = Server(tmp_path / "one", env), Server(tmp_path / "two", env)
    try:
        one.start(threads=1)
        two.start(threads=1)
        ids = live_setup(one, [TEXT])
        candidate = Api.candidate(one.url, ids["interview"]["link"])
        candidate.call("POST", "/take/consent")
        ivy = Api.login(two.url, INTERVIEWER, PASSWORD)
        path = f"/live/{ids['room_id']}/ws/shared"
        texts = asyncio.run(_type_on_both(
            one.url.replace("http", "ws") + path, _token(candidate),
            two.url.replace("http", "ws") + path, _token(ivy)))
        assert texts[0] == texts[1]
        ended = ivy.client.post(f"/live/{ids['room_id']}/end")
        assert ended.status_code == 200, ended.text
        answer = ivy.call("GET", f"/interviews/{ids['interview']['id']}")["answers"][0]
        assert answer["text"] == texts[0]
    finally:
        one.stop()
        two.stop()
        _drop_postgres(database)


def _token(api: Api) -> str:
    return str(api.client.headers["authorization"])[7:]


async def _type_on_both(url_one: str, token_one: str, url_two: str,
                        token_two: str) -> tuple[str, str]:
    async with RoomClient(url_one, token_one) as cand, RoomClient(url_two, token_two) as ivy:
        name = next(k for k in sorted(cand.doc.keys()) if k.startswith("files-"))
        answer = f"text-{name.split('-', 1)[1]}/answer"
        for n in range(25):
            await cand.change(lambda d, n=n: d.get(answer, type=Text).insert(
                len(d.get(answer, type=Text)), f"cand-{n} "))
            await ivy.change(lambda d, n=n: d.get(answer, type=Text).insert(0, f"ivy-{n} "))
            await asyncio.sleep(0.02)
        tokens = [f"cand-{n} " for n in range(25)] + [f"ivy-{n} " for n in range(25)]

        def complete(doc: object) -> bool:
            text = str(doc.get(answer, type=Text))  # type: ignore[attr-defined]
            return all(t in text for t in tokens)

        await cand.until(complete)
        await ivy.until(complete)
        await asyncio.sleep(0.3)
        return str(cand.doc.get(answer, type=Text)), str(ivy.doc.get(answer, type=Text))
