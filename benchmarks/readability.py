"""Readability for an audience: does the grade level rank simpler writing as more accessible?

On OneStopEnglish (189 news articles, each rewritten at three reading levels; the folder is
given with --data) the grade level of hireloop.nlp.readability must rank the
simpler version below the harder one for at least 188 of the 189 articles, on each of the
three pairs. Every measure is per word or per sentence (the simpler versions are shorter, so a
measure that grows with length would pass trivially); the length ratios are printed to show it.

Run: .venv/bin/python benchmarks/readability.py [--data PATH] [--all]
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hireloop.nlp.readability import ReadabilityScores, measure, sentences
from hireloop.nlp.text import words

DEFAULT_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "readability"
                / "onestopenglish.tsv")
LEVELS = ("elementary", "intermediate", "advanced")
PAIRS = (("elementary", "intermediate"), ("intermediate", "advanced"),
         ("elementary", "advanced"))
SHORT = {"elementary": "Ele", "intermediate": "Int", "advanced": "Adv"}
REQUIRED = 188

MEASURES: dict[str, Callable[[ReadabilityScores], float]] = {
    "grade_level (hireloop: Flesch-Kincaid grade + 0.2 per point of unfamiliar words over 20%)":
        lambda s: s.grade_level,
    "fk_grade (Flesch-Kincaid grade)": lambda s: s.fk_grade,
    "flesch_reading_ease (reversed: higher is easier)": lambda s: -s.flesch_reading_ease,
    "syllables_per_word": lambda s: s.syllables_per_word,
    "words_per_sentence": lambda s: s.words_per_sentence,
    "polysyllable_share": lambda s: s.polysyllable_share,
    "unfamiliar_share": lambda s: s.unfamiliar_share,
}


def load(path: Path) -> dict[str, dict[str, str]]:
    """article id -> level -> text, paragraph breaks restored as blank lines."""
    csv.field_size_limit(1 << 30)
    articles: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[:3] != ["article_id", "level", "text"]:
            raise SystemExit(f"{path}: unexpected header {header}")
        for article_id, level, text in reader:
            articles.setdefault(article_id, {})[level] = text.replace("\\n", "\n\n")
    return articles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--all", action="store_true", help="also print the other measures")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    articles = load(args.data)
    assert all(set(levels) == set(LEVELS) for levels in articles.values())

    start = time.perf_counter()
    scores = {a: {lv: measure(t) for lv, t in levels.items()} for a, levels in articles.items()}
    elapsed = time.perf_counter() - start
    n_words = sum(s.words for levels in scores.values() for s in levels.values())
    print(f"OneStopEnglish: {len(articles)} articles x 3 levels, {n_words:,} words, measured "
          f"in {elapsed:.2f} s ({1000 * elapsed / n_words * 1000:.2f} ms per 1,000 words, "
          f"syllable cache cold)")
    for level in LEVELS:
        at = [levels[level] for levels in scores.values()]
        print(f"  {level:>12}: words/article {statistics.mean(s.words for s in at):6.0f}"
              f"  grade_level {statistics.mean(s.grade_level for s in at):5.2f}"
              f"  fk_grade {statistics.mean(s.fk_grade for s in at):5.2f}"
              f"  reading ease {statistics.mean(s.flesch_reading_ease for s in at):5.1f}"
              f"  unfamiliar {statistics.mean(s.unfamiliar_share for s in at):.3f}")

    ok = True
    names = list(MEASURES) if args.all else list(MEASURES)[:1]
    for name in names:
        key = MEASURES[name]
        print(f"\nmeasure: {name}")
        for easy, hard in PAIRS:
            right = [a for a in scores if key(scores[a][easy]) < key(scores[a][hard])]
            wrong = sorted(set(scores) - set(right))
            verdict = "ok" if len(right) >= REQUIRED else "FAIL"
            print(f"  {SHORT[easy]} < {SHORT[hard]}: {len(right)}/{len(scores)} ranked correctly"
                  f" [{verdict}, need >= {REQUIRED}]"
                  + (f"; wrong: {', '.join(wrong[:5])}" if wrong else ""))
            if name == names[0]:
                ok &= len(right) >= REQUIRED
    if args.all:
        print("\nfor reference, Flesch reading ease with a plain vowel-group syllable count "
              "(OneStopEnglish's published figure):")
        naive = {a: {lv: _naive_flesch(t) for lv, t in levels.items()}
                 for a, levels in articles.items()}
        for easy, hard in PAIRS:
            n_right = sum(naive[a][easy] > naive[a][hard] for a in naive)
            print(f"  {SHORT[easy]} < {SHORT[hard]}: {n_right}/{len(naive)}")
        print("\nacross different articles (unpaired, harder): share of (simpler, harder) text "
              "pairs ranked correctly by grade_level")
        for easy, hard in PAIRS:
            lo = [scores[a][easy].grade_level for a in scores]
            hi = [scores[a][hard].grade_level for a in scores]
            share = sum(x < y for x in lo for y in hi) / (len(lo) * len(hi))
            print(f"  {SHORT[easy]} < {SHORT[hard]}: {share:.3f}")
    print("\nwhy per-word and per-sentence only: the simpler versions are shorter (mean "
          "words ratio " + ", ".join(
              f"{SHORT[e]}/{SHORT[h]} "
              f"{statistics.mean(scores[a][e].words / scores[a][h].words for a in scores):.2f}"
              for e, h in PAIRS)
          + "), so plain word count would rank " + ", ".join(
              f"{sum(scores[a][e].words < scores[a][h].words for a in scores)}/{len(scores)}"
              for e, h in PAIRS) + " without measuring difficulty at all")
    return 0 if ok else 1


def _naive_flesch(text: str) -> float:
    """Flesch reading ease with syllables as vowel groups (silent final e dropped)."""
    sentence_words = [ws for ws in (words(s.text) for s in sentences(text)) if ws]
    all_words = [w for ws in sentence_words for w in ws]
    syllables = 0
    for word in all_words:
        lowered = word.lower()
        count = len(re.findall(r"[aeiouy]+", lowered))
        if lowered.endswith("e") and not lowered.endswith("le") and count > 1:
            count -= 1
        syllables += max(1, count)
    return (206.835 - 1.015 * len(all_words) / len(sentence_words)
            - 84.6 * syllables / len(all_words))


if __name__ == "__main__":
    raise SystemExit(main())
