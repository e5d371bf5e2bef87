"""Does a sentence assert a key point, assert its opposite, or neither?

Sentence embeddings cannot tell "leaving sex out makes the model fair" from "leaving sex out
does not make the model fair" (their cosine is about 0.95), nor "high variance" from "high
bias". This module judges the *relation* between a sentence of an answer and a statement (a key
point, one of its phrasings, a ``must_not`` statement), deterministically and in microseconds,
from four kinds of evidence:

- **polarity**: each clause's negation ("not", "never", "n't", "no", "cannot", "fails to"),
  compared clause by clause with the statement's clause that shares the most content words; a
  negation that only builds a subject ("*Not using* sex as a feature does not make it fair") or
  an idiom ("not only", "no matter", "whether or not") does not count;
- **direction and contrast**: the sentence uses one word of a contrasting pair (high/low,
  increase/decrease, overfitting/underfitting, precision/recall, before/after, ...) where the
  statement uses the other; an even number of such flips with a negation cancels out ("not low"
  is "high");
- **swapped roles**: both words of a pair appear, but in each other's places ("recall is the
  share of flagged cases that are fraud");
- **numbers**: the sentence states a number the statement, the prompt and the reference never
  give, where the statement gives numbers of its own (a wrong threshold, a wrong count).

The embedding side (how *close* the sentence is to the statement) stays with the content
scorer; this module only says whether closeness counts for the point or against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from hireloop.nlp.text import words


class Relation(StrEnum):
    """How a sentence stands to a statement."""

    ASSERTS = "asserts"
    """consistent with the statement (how much it says of it is the similarity's business)"""
    CONTRADICTS = "contradicts"
    """says the opposite: a flipped negation, the other end of a contrast, swapped roles, or a
    wrong number"""


@dataclass(frozen=True)
class Judgement:
    """The relation and, when it is a contradiction, the reason in words for the interviewer."""

    relation: Relation
    reason: str = ""
    swapped: tuple[str, str] | None = None
    """the two words the sentence puts in each other's places, when that is the only reason:
    the caller confirms it (the order of two words alone can be mere syntax)"""


STOP = frozenset(
    """
a an the of to in on for and or but is are was were be been being it its it's this that these
those with as by at from which what how why when who whom whose into than then so such can
could will would should may might must do does did doing have has had having i you he she we
they them their our your my me us his her there here about also just very really some any
each other if because while where once only own too s t let get got one through even
still
""".split()  # noqa: SIM905 - a word list reads best as text
)
"""function words; unlike the content scorer's list it keeps the words that carry direction or
negation (more, most, over, under, up, down, off, out, not, no)"""

_NEG = frozenset({"not", "no", "never", "cannot", "can't", "none", "nothing", "neither", "nor",
                  "hardly", "barely", "nobody", "nowhere", "otherwise"})
_HYPOTHETICAL = frozenset({"would", "could", "might", "may", "would've", "could've", "wouldn't",
                           "couldn't", "mightn't"})
_NEG_IDIOMS = re.compile(
    r"\b(?:not\s+only|not\s+just|not\s+merely|not\s+least|no\s+matter|whether\s+or\s+not|"
    r"if\s+not|nothing\s+but|no\s+doubt|not\s+to\s+mention|no\s+less\s+than|"
    r"not\s+least\s+because)\b", re.IGNORECASE)
_FAIL = re.compile(r"\b(?:fails?|failed|failing)\s+to\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:but|because|since|so|while|whereas|although|though|however|"
    r"unless|which|and\s+then|instead|rather|"
    r"(?:and|or)(?=\s+(?:it|this|that|they|he|she|we|i|you|there)\b))\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*%?")
_AUX = frozenset({"be", "is", "are", "was", "were", "been", "being", "the", "a", "an", "that",
                  "do", "does", "did", "have", "has", "had", "to", "so", "very", "necessarily",
                  "always", "really", "at", "all", "any", "actually", "even", "yet", "enough"})

CONTRASTS: tuple[tuple[str, str], ...] = (
    ("high", "low"), ("higher", "lower"), ("highest", "lowest"), ("increase", "decrease"),
    ("increase", "reduce"), ("increases", "reduces"), ("raise", "lower"), ("rise", "fall"),
    ("rises", "falls"), ("grow", "shrink"), ("up", "down"), ("more", "less"), ("more", "fewer"),
    ("most", "least"), ("above", "below"), ("over", "under"), ("better", "worse"),
    ("best", "worst"), ("improve", "worsen"), ("improves", "hurts"), ("larger", "smaller"),
    ("large", "small"), ("bigger", "smaller"), ("big", "small"), ("long", "short"),
    ("longer", "shorter"), ("fast", "slow"), ("faster", "slower"), ("early", "late"),
    ("earlier", "later"), ("before", "after"), ("first", "last"), ("start", "end"),
    ("many", "few"), ("maximise", "minimise"),
    ("maximize", "minimize"), ("max", "min"), ("maximum", "minimum"),
    ("overfitting", "underfitting"), ("overfit", "underfit"), ("overfits", "underfits"),
    ("overestimate", "underestimate"), ("overestimates", "underestimates"),
    ("overconfident", "underconfident"), ("variance", "bias"), ("precision", "recall"),
    ("positive", "negative"), ("positives", "negatives"), ("true", "false"),
    ("train", "test"), ("training", "serving"), ("offline", "online"), ("add", "remove"),
    ("include", "exclude"), ("accept", "reject"), ("approve", "reject"), ("approve", "deny"),
    ("majority", "minority"), ("simple", "complex"), ("simpler", "more complex"),
    ("strong", "weak"), ("stronger", "weaker"), ("wide", "narrow"), ("wider", "narrower"),
    ("dense", "sparse"), ("common", "rare"), ("cheap", "expensive"), ("cheaper", "costlier"),
    ("easy", "hard"), ("easier", "harder"), ("safe", "unsafe"), ("fair", "unfair"),
    ("necessary", "unnecessary"), ("correct", "incorrect"), ("valid", "invalid"),
    ("stable", "unstable"), ("biased", "unbiased"), ("same", "different"),
    ("dependent", "independent"), ("sufficient", "insufficient"), ("enough", "insufficient"),
    ("works", "fails"), ("succeed", "fail"), ("ship", "hold"), ("launch", "delay"),
    ("continue", "stop"), ("keep", "drop"), ("inside", "outside"),
    ("upper", "lower"), ("calibrated", "miscalibrated"),
    ("random", "deterministic"),
)
"""pairs of words that say opposite things in the same slot (stems are compared, so plural and
-ing forms count)"""


def _stem(word: str) -> str:
    """The content scorer's stem, with a final -e or -y dropped ("feature" and "features",
    "proxy" and "proxies" meet)."""
    from hireloop.nlp.content import stem

    base = stem(word)
    return base[:-1] if len(base) > 3 and base[-1] in "ey" else base


@lru_cache(maxsize=1)
def _contrast_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for a, b in CONTRASTS:
        if " " in a or " " in b:
            continue
        sa, sb = _stem(a), _stem(b)
        if sa == sb:
            continue
        index.setdefault(sa, set()).add(sb)
        index.setdefault(sb, set()).add(sa)
    return {k: frozenset(v) for k, v in index.items()}


@dataclass(frozen=True)
class _Clause:
    stems: frozenset[str]
    sequence: tuple[str, ...]
    """the clause's content stems in order"""
    hypothetical: bool
    """the clause speaks of what would or could be ("would dominate")"""
    scopes: tuple[frozenset[str], ...]
    """for each predicate negation, the content stems it governs (to the end of the clause)"""

    def negated(self, other: frozenset[str]) -> bool:
        """Odd number of negations governing a word that ``other`` shares ("it never saw"
        negates nothing of a point about held-out data)."""
        return sum(1 for scope in self.scopes if scope & other) % 2 == 1

    def stray_negation(self, other: frozenset[str]) -> bool:
        """Whether a negation of this clause governs nothing that ``other`` has."""
        return any(not scope & other for scope in self.scopes)


@dataclass(frozen=True)
class _Parsed:
    clauses: tuple[_Clause, ...]
    stems: frozenset[str]
    order: tuple[str, ...]
    numbers: frozenset[float]


def _tokens(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]


def _is_negation(token: str) -> bool:
    return token in _NEG or token.endswith("n't")


def _scopes(tokens: list[str]) -> tuple[frozenset[str], ...]:
    """The content stems each predicate negation of one clause governs."""
    scopes: list[frozenset[str]] = []
    for i, token in enumerate(tokens):
        if not _is_negation(token):
            continue
        rest = [t for t in tokens[i + 1:] if t not in _AUX]
        if not rest:
            continue
        # "Not using X ..." at the head of a clause builds a subject, it negates nothing.
        if i == 0 and token in {"not", "never"} and rest[0].endswith("ing"):
            continue
        scopes.append(frozenset(_stem(t) for t in rest if t not in STOP
                                and not _is_negation(t)))
    return tuple(scopes)


@lru_cache(maxsize=100_000)
def parse(text: str) -> _Parsed:
    """Clauses (content stems, negated or not), all content stems, and the numbers of ``text``."""
    cleaned = _NEG_IDIOMS.sub(" ", text)
    cleaned = _FAIL.sub(" not ", cleaned)
    clauses: list[_Clause] = []
    for part in _CLAUSE_BREAK.split(cleaned):
        tokens = _tokens(part)
        if not tokens:
            continue
        stems = frozenset(_stem(t) for t in tokens if t not in STOP and not _is_negation(t)
                          and _number(t) is None)
        sequence = tuple(_stem(t) for t in tokens if t not in STOP and not _is_negation(t)
                         and _number(t) is None)
        clauses.append(_Clause(stems, sequence, any(t in _HYPOTHETICAL for t in tokens),
                               _scopes(tokens)))
    order = tuple(_stem(t) for t in _tokens(text) if t not in STOP)
    numbers = frozenset(n for t in _tokens(text) if (n := _number(t)) is not None)
    return _Parsed(tuple(clauses), frozenset(order), order, numbers)


def _number(token: str) -> float | None:
    token = token.replace(",", "")
    percent = token.endswith("%")
    core = token.rstrip("%")
    if not re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", core):
        return None
    value = float(core)
    return round(value / 100 if percent else value, 6)


def numbers_of(text: str) -> frozenset[float]:
    """The numbers ``text`` states (a percentage also as its fraction)."""
    return parse(text).numbers


def _equivalent(value: float, known: frozenset[float]) -> bool:
    for k in known:
        if abs(value - k) <= 1e-6 * max(1.0, abs(k)):
            return True
        if abs(value - 100 * k) <= 1e-6 * max(1.0, abs(value)) or \
                abs(100 * value - k) <= 1e-6 * max(1.0, abs(k)):
            return True
    return False


def _polarity_mismatch(sentence: _Parsed, statement: _Parsed) -> bool:
    """Whether the clauses that share the most content words disagree on negation."""
    match = mismatch = 0
    for ours, theirs in ((sentence, statement), (statement, sentence)):
        for clause in ours.clauses:
            best: tuple[int, _Clause] | None = None
            for other in theirs.clauses:
                overlap = len(clause.stems & other.stems)
                if overlap and (best is None or overlap > best[0]):
                    best = (overlap, other)
            if best is None:
                continue
            overlap, other = best
            # Only clauses that say much the same thing are compared: three shared content
            # words (two when one clause is that short), at least half of the shorter clause.
            smaller = min(len(clause.stems), len(other.stems))
            if overlap < (2 if smaller <= 3 else 3) or overlap < 0.5 * smaller:
                continue
            # A negation counts only where what it governs is in the other clause too ("the
            # features correlate with sex" says nothing about "does not make the model fair");
            # a clause with a negation that governs nothing of the other is left undecided.
            if clause.stray_negation(other.stems) or other.stray_negation(clause.stems):
                continue
            # "(otherwise) features would dominate" describes the failure the point's "so
            # they do not dominate" prevents: a hypothetical against a fact is left undecided.
            if clause.hypothetical != other.hypothetical:
                continue
            mine, yours = clause.negated(other.stems), other.negated(clause.stems)
            if mine == yours:
                match += overlap
            else:
                mismatch += overlap
    return mismatch > match


def _flips(sentence: _Parsed, statement: _Parsed) -> list[tuple[str, str]]:
    """Contrast words: the statement says ``a`` where the sentence says ``b`` (and not ``a``),
    in clauses that are about the same thing (they share another content word)."""
    index = _contrast_index()
    flips = []
    for a in statement.stems:
        for b in index.get(a, ()):
            if b in sentence.stems and a not in sentence.stems and b not in statement.stems:
                ours = [c for c in statement.clauses if a in c.stems]
                theirs = [c for c in sentence.clauses if b in c.stems]
                if any(_same_slot(x, a, y, b) for x in ours for y in theirs):
                    flips.append((a, b))
    return flips


def _near(clause: _Clause, word: str, shared: set[str]) -> bool:
    at = [i for i, w in enumerate(clause.sequence) if w == word]
    return any(clause.sequence[j] in shared for i in at
               for j in range(max(0, i - 2), min(len(clause.sequence), i + 3)) if j != i)


def _same_slot(ours: _Clause, a: str, theirs: _Clause, b: str) -> bool:
    """Whether ``a`` in one clause and ``b`` in the other fill the same slot: the clauses share
    two other content words, or one that stands next to both."""
    shared = set(ours.stems & theirs.stems) - {a, b}
    return len(shared) >= 2 or (bool(shared) and _near(ours, a, shared)
                                and _near(theirs, b, shared))


def _swapped(sentence: _Parsed, statement: _Parsed) -> tuple[str, str] | None:
    """Both words of a contrast pair in both texts, in opposite order."""
    index = _contrast_index()
    for a in statement.stems:
        for b in index.get(a, ()):
            if a < b and b in statement.stems and a in sentence.stems and b in sentence.stems:
                first_statement = statement.order.index(a) < statement.order.index(b)
                first_sentence = sentence.order.index(a) < sentence.order.index(b)
                if first_statement != first_sentence:
                    return a, b
    return None


def judge(sentence: str, statement: str, known_numbers: frozenset[float] = frozenset()
          ) -> Judgement:
    """Whether ``sentence`` asserts ``statement`` or contradicts it (see the module docstring).

    ``known_numbers`` are numbers that may appear without contradicting anything (the prompt's
    and the reference answer's).
    """
    s, p = parse(sentence), parse(statement)
    reasons: list[str] = []
    flipped = _polarity_mismatch(s, p)
    flips = _flips(s, p)
    if flipped != (len(flips) % 2 == 1):
        if flips and not flipped:
            reasons.append("says " + ", ".join(f"“{b}” where the point says “{a}”"
                                               for a, b in flips))
        elif flipped and not flips:
            reasons.append("negates what the point asserts" if not _negated_any(p)
                           else "asserts what the point negates")
        else:
            reasons.append("negation and contrast words together reverse the point")
    swap = _swapped(s, p) if not reasons else None
    if p.numbers and s.numbers and not reasons:
        foreign = [n for n in s.numbers
                   if not _equivalent(n, p.numbers) and not _equivalent(n, known_numbers)]
        if foreign and not any(_equivalent(n, s.numbers) for n in p.numbers):
            reasons.append(f"gives {foreign[0]:g} where the point has "
                           + ", ".join(f"{n:g}" for n in sorted(p.numbers)))
    if reasons:
        return Judgement(Relation.CONTRADICTS, reasons[0])
    if swap is not None:
        return Judgement(Relation.CONTRADICTS, f"swaps “{swap[0]}” and “{swap[1]}”", swap)
    return Judgement(Relation.ASSERTS)


def swap_words(statement: str, a: str, b: str) -> str:
    """``statement`` with the words whose stems are ``a`` and ``b`` put in each other's places."""
    found = {_stem(w.lower()): w for w in _TOKEN.findall(statement)}
    first, second = found.get(a), found.get(b)
    if first is None or second is None:
        return statement
    pattern = re.compile(rf"\b({re.escape(first)}|{re.escape(second)})\b")
    return pattern.sub(lambda m: second if m.group(1) == first else first, statement)


def _negated_any(parsed: _Parsed) -> bool:
    return any(c.scopes for c in parsed.clauses)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that are not function words (for structure checks)."""
    return [w for w in words(text) if w.lower() not in STOP]
