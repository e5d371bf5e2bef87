"""Integrity signals: what a typing timeline of a 45-minute code answer costs to store.

A candidate writes a program in 45 minutes (by default the first 150 lines of
``src/hireloop/integrity/fingerprints.py``, about 6 KB: a long answer for an interview), and
this script produces what the stage page's ``static/signals.js`` would send for it, event for
event: a snapshot when the page opens and after every 5 minutes of editing; one edit per
keystroke (the editor indents each new line as Enter is pressed, so the indentation arrives with
the line break); a typo and its Backspace on 5% of the characters; every 30 lines a line
selected, deleted and typed again; two snippets of 8 lines pasted instead of typed (a paste event,
then the edit carrying its text); four absences of 10 s to 2 min. Keys come 60 to 400 ms
apart (log-normal, median 170 ms); the rest of the 45 minutes is spent thinking between lines.
The events are cut into batches as the page cuts them (everything queued, every 5 s) and each
batch goes through the server's own check (``parse_batch``) and store (``store``) into a fresh
SQLite database of the platform. Printed: events, batches, the bytes the answer's signals take
as counted against the 2 MiB cap, the database file's growth, and the same timeline gzipped.

    python benchmarks/typing_timeline.py [--lines 150] [--minutes 45] [--seed 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hireloop.db import open_database  # noqa: E402
from hireloop.db.models import Answer  # noqa: E402
from hireloop.integrity import signals  # noqa: E402

SEND_MS = 5_000        # as signals.js: a batch every 5 s
SNAPSHOT_MS = 300_000  # as signals.js: a snapshot after 5 minutes of editing
T0 = 1_796_000_000_000


class Page:
    """The candidate's text and the events signals.js records for it."""

    def __init__(self) -> None:
        self.text = ""
        self.t = 0.0
        self.events: list[list[Any]] = [["s", 0, ""]]
        self.last_snapshot = 0

    def edit(self, at: int, removed: int, inserted: str) -> None:
        self.text = self.text[:at] + inserted + self.text[at + removed:]
        t = round(self.t)
        self.events.append(["e", t, at, removed, inserted])
        if t - self.last_snapshot >= SNAPSHOT_MS:
            self.last_snapshot = t
            self.events.append(["s", t, self.text])


def session(program: str, minutes: float, seed: int) -> Page:
    """The session, its thinking pauses stretched so that it lasts ``minutes``."""
    busy = _session(program, 0.0, random.Random(seed))  # typing, pastes and absences alone
    return _session(program, max(0.0, minutes * 60_000 - busy.t), random.Random(seed))


def _session(program: str, thinking: float, rng: random.Random) -> Page:
    page = Page()
    lines = program.splitlines(keepends=True)
    helpers = _pasted_blocks(lines)
    pasted = {j for start, end in helpers.items() for j in range(start, end)}
    weights = [0.0 if i in pasted else rng.expovariate(1) for i in range(len(lines))]
    pauses = [thinking * w / sum(weights) for w in weights]
    absences = [rng.uniform(10_000, 120_000) for _ in range(4)]
    away_at = sorted(rng.sample(range(len(lines)), k=len(absences)))

    def key_gap() -> float:
        return min(400.0, max(60.0, rng.lognormvariate(math.log(170), 0.45)))

    i = 0
    while i < len(lines):
        if i in helpers:  # a helper pasted whole
            block = "".join(lines[i:helpers[i]])
            page.t += rng.uniform(2_000, 6_000)
            page.events.append(["p", round(page.t), len(block)])
            page.edit(len(page.text), 0, block)
            i = helpers[i]
            continue
        while away_at and i >= away_at[0]:
            away_at.pop(0)
            gone = absences.pop()
            page.t += gone
            page.events.append(["a", round(page.t), round(gone), "tab"])
        page.t += pauses[i]
        line = lines[i]
        body = line.lstrip(" ")
        indent = line[:len(line) - len(body)]
        if indent:  # the editor's auto-indent: the Enter before this line brought it
            if page.events[-1][0] == "e" and page.events[-1][4].endswith("\n"):
                page.events[-1][4] += indent
                page.text += indent
            else:
                page.edit(len(page.text), 0, indent)
        for ch in body:
            page.t += key_gap()
            if ch != "\n" and rng.random() < 0.05:  # a typo, seen, taken back
                page.edit(len(page.text), 0, rng.choice("abcdefghijklmnopqrstuvwxyz"))
                page.t += key_gap() * 2
                page.edit(len(page.text) - 1, 1, "")
                page.t += key_gap()
            page.edit(len(page.text), 0, ch)
        if i and i % 30 == 0 and len(body) > 4:  # the line rewritten
            start = len(page.text) - len(line)
            page.t += rng.uniform(3_000, 15_000)
            page.edit(start, len(line), "")
            page.t += key_gap()
            page.edit(len(page.text), 0, indent)
            for ch in body:
                page.t += key_gap()
                page.edit(len(page.text), 0, ch)
        i += 1
    assert page.text == program, "the simulated editor went astray"
    return page


def _pasted_blocks(lines: list[str]) -> dict[int, int]:
    """Two snippets of 8 lines, a third and two thirds of the way down, pasted: their first
    line -> the line after them."""
    n = len(lines)
    return {n // 3: min(n, n // 3 + 8), 2 * n // 3: min(n, 2 * n // 3 + 8)}


def batches(events: list[list[Any]]) -> list[dict[str, Any]]:
    """As signals.js sends them: every 5 s, all the events queued since the last send."""
    out: list[dict[str, Any]] = []
    window: list[list[Any]] = []
    current = 0
    for event in events:
        w = event[1] // SEND_MS
        if window and w != current:
            out.append({"page": "bench", "seq": len(out), "t0": T0, "events": window})
            window = []
        current = w
        window.append(event)
    if window:
        out.append({"page": "bench", "seq": len(out), "t0": T0, "events": window})
    return out


def _vacuumed_size(path: Path) -> int:
    """The database file's size with its free pages dropped."""
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("VACUUM")
    c.close()
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=150)
    parser.add_argument("--minutes", type=float, default=45)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    source = (ROOT / "src" / "hireloop" / "integrity" / "fingerprints.py").read_text()
    program = "".join(source.splitlines(keepends=True)[:args.lines])
    page = session(program, args.minutes, args.seed)
    sent = batches(page.events)
    kinds = {k: sum(1 for e in page.events if e[0] == k) for k in "sepa"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = open_database(f"sqlite:///{path}")
        with db.session() as s:
            answer = Answer(practice_id="benchmark", exercise_id="coding/edit-distance", seed=0,
                            text=program)
            s.add(answer)
            s.flush()
            answer_id = answer.id
        before = _vacuumed_size(path)
        started = time.perf_counter()
        stored = 0
        for body in sent:
            raw = json.dumps(body, separators=(",", ":")).encode()
            batch = signals.parse_batch(raw)
            with db.session() as s:
                signals.store(s, answer_id, batch)
            stored += batch.size
        elapsed = time.perf_counter() - started
        after = _vacuumed_size(path)
        with db.session() as s:
            rows = signals.batches_of(s, [answer_id])[answer_id]
            summary = signals.summarise(rows)
        db.engine.dispose()
    whole = json.dumps(page.events, separators=(",", ":"), ensure_ascii=False).encode()
    print(f"answer: {len(program.splitlines())} lines, {len(program.encode())} bytes; "
          f"session {page.t / 60_000:.1f} min")
    print(f"events: {len(page.events)} (edits {kinds['e']}, snapshots {kinds['s']}, "
          f"pastes {kinds['p']}, absences {kinds['a']}); batches sent: {len(sent)}")
    print(f"summary as the reviewer reads it: {summary.pastes} pastes "
          f"({summary.pasted_chars} characters), {summary.away} absences "
          f"({summary.away_text}), {summary.typed_chars} characters typed")
    print(f"stored (the events as JSON, counted against the "
          f"{signals.MAX_ANSWER_BYTES // 1024} KiB cap): {stored} bytes = "
          f"{stored / 1024:.1f} KiB ({stored / len(program.encode()):.1f} x the answer, "
          f"{100 * stored / signals.MAX_ANSWER_BYTES:.1f}% of the cap)")
    print(f"SQLite file growth (rows, index, pages): {after - before} bytes = "
          f"{(after - before) / 1024:.1f} KiB")
    print(f"the whole timeline gzipped: {len(gzip.compress(whole))} bytes = "
          f"{len(gzip.compress(whole)) / 1024:.1f} KiB")
    print(f"checking and storing {len(sent)} batches: {elapsed * 1000:.0f} ms in all, "
          f"{elapsed * 1000 / len(sent):.1f} ms a batch")


if __name__ == "__main__":
    main()
