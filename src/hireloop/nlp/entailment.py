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
    swapped: tuple[tuple[str, str], ...] = ()
    """contrast pairs the sentence may have the wrong way round, when that is the only reason:
    the caller confirms it by meaning (the order of two words alone can be mere syntax)"""


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
                  "hardly", "barely", "nobody", "nowhere", "without", "lack", "lacks", "lacking",
                  "useless", "pointless", "meaningless", "misleading", "irrelevant",
                  "unreliable", "non"})
_HYPOTHETICAL = frozenset({"would", "could", "might", "may", "would've", "could've", "wouldn't",
                           "couldn't", "mightn't"})
_NEG_IDIOMS = re.compile(
    r"\b(?:not\s+only|not\s+just|not\s+merely|not\s+least|no\s+matter|whether\s+or\s+not|"
    r"if\s+not|nothing\s+but|no\s+doubt|not\s+to\s+mention|no\s+less\s+than|"
    r"not\s+least\s+because)\b", re.IGNORECASE)
_FAIL = re.compile(r"\b(?:fails?|failed|failing)\s+to\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:but|because|since|so|while|whereas|although|though|however|"
    r"unless|which|and\s+then|otherwise|"
    r"(?:and|or)(?=\s+(?:it|this|that|they|he|she|we|i|you|there|the|a|an|its|their|these|"
    r"those)\b))\b", re.IGNORECASE)
_CONDITIONS = frozenset({"if", "when", "whenever", "unless", "until", "without", "in"})
_CONTRASTIVE = re.compile(r"\s*\b(?:rather\s+than|instead\s+of)\b", re.IGNORECASE)
"""X rather than Y says X, not Y (written "nor", which no subject-building rule skips)"""
_SEGMENT = re.compile(r";|\.\s|\b(?:whereas|while|but|unlike)\b", re.IGNORECASE)
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*%?")
_AUX = frozenset({"down", "due", "owing", "need", "needed", "point", "reason", "way",
                  "be", "is", "are", "was", "were", "been", "being", "the", "a", "an", "that",
                  "do", "does", "did", "have", "has", "had", "to", "so", "very", "necessarily",
                  "always", "really", "at", "all", "any", "actually", "even", "yet", "enough"})

CONTRASTS: tuple[tuple[str, str], ...] = (
    ("high", "low"), ("higher", "lower"), ("highest", "lowest"), ("increase", "decrease"),
    ("increase", "reduce"), ("increases", "reduces"), ("raise", "lower"), ("rise", "fall"),
    ("rises", "falls"), ("grow", "shrink"), ("up", "down"), ("more", "less"), ("more", "fewer"),
    ("most", "least"), ("above", "below"), ("over", "under"), ("better", "worse"),
    ("best", "worst"), ("improve", "worsen"), ("improves", "hurts"), ("larger", "smaller"),
    ("large", "small"), ("bigger", "smaller"), ("big", "small"), ("long", "short"),
    ("longer", "shorter"), ("fast", "slow"), ("faster", "slower"),
    ("first", "last"), ("start", "end"),
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
    ("continue", "stop"), ("keep", "drop"), ("keep", "retire"), ("keep", "replace"),
    ("inside", "outside"),
    ("upper", "lower"), ("calibrated", "miscalibrated"),
    ("random", "deterministic"), ("thousand", "million"), ("thousands", "millions"),
    ("optimistic", "pessimistic"), ("parametric", "non-parametric"),
)
"""pairs of words that say opposite things in the same slot (stems are compared, so plural and
-ing forms count)"""


def _stem(word: str) -> str:
    """The content scorer's stem, with a final -e or -y dropped ("feature" and "features",
    "proxy" and "proxies" meet)."""
    from hireloop.nlp.content import stem

    base = stem(word)
    if len(base) > 3 and base[-1] in "ey":
        base = base[:-1]
    if len(base) > 4 and base[-1] == base[-2] and base[-1] not in "aeiousl":
        base = base[:-1]  # "overfitt(ing)" and "overfit(s)"
    return base


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
    conditional: bool
    """the clause is a condition ("if no constructor is provided", "when ...")"""
    heads: tuple[str, ...]
    """for each predicate negation, the content word it negates (the first after it)"""
    restricts: bool = False
    """the clause restricts ("only", "always", "alone", "just")"""

    def negated(self, other: frozenset[str]) -> bool:
        """Odd number of negations of a word that ``other`` has too."""
        return sum(1 for head in self.heads if head and head in other) % 2 == 1

    def stray_negation(self, other: frozenset[str]) -> bool:
        """Whether a negation of this clause negates a word ``other`` does not have ("we
        cannot *trust* the judge until ..." says nothing for or against "validate the judge
        against human labels"; "it never *saw*" nothing about held-out data)."""
        return any(head not in other for head in self.heads)



@dataclass(frozen=True)
class _Parsed:
    segments: tuple[frozenset[str], ...]
    """content stems of each part between semicolons, full stops, whereas and while"""
    clauses: tuple[_Clause, ...]
    stems: frozenset[str]
    order: tuple[str, ...]
    numbers: frozenset[float]


def _tokens(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]


def _is_negation(token: str) -> bool:
    return token in _NEG or token.endswith("n't")


def _hypothetical(tokens: list[str]) -> bool:
    """A modal that speaks of what would be; "I would" and "we'd" recommend, they count as
    fact."""
    for i, token in enumerate(tokens):
        if token in {"i'd", "we'd"}:
            continue
        if token in _HYPOTHETICAL and not (i and tokens[i - 1] in {"i", "we"}):
            return True
    return False


def _heads(tokens: list[str], first: bool) -> tuple[str, ...]:
    """The content word each predicate negation of one clause negates (``first``: the clause
    opens the sentence, where "Not using X ..." builds a subject)."""
    heads: list[str] = []
    for i, token in enumerate(tokens):
        if not _is_negation(token):
            continue
        rest = [t for t in tokens[i + 1:] if t not in _AUX]
        # "Not using X ..." at the head of a clause builds a subject, it negates nothing.
        if first and i == 0 and token in {"not", "never"} and rest and rest[0].endswith("ing"):
            continue
        content = [t for t in rest if t not in STOP and not _is_negation(t)
                   and _number(t) is None]
        # A negation with nothing after it ("training error is useless") is kept with no
        # head: it makes the clause undecided.
        heads.append(_stem(content[0]) if content else "")
    return tuple(heads)


@lru_cache(maxsize=100_000)
def parse(text: str) -> _Parsed:
    """Clauses (content stems, negated or not), all content stems, and the numbers of ``text``."""
    cleaned = _NEG_IDIOMS.sub(" ", text)
    cleaned = _FAIL.sub(" not ", cleaned)
    cleaned = _CONTRASTIVE.sub(", nor ", cleaned)
    clauses: list[_Clause] = []
    for part in _CLAUSE_BREAK.split(cleaned):
        tokens = _tokens(part)
        if not tokens:
            continue
        stems = frozenset(_stem(t) for t in tokens if t not in STOP and not _is_negation(t)
                          and _number(t) is None)
        sequence = tuple(_stem(t) for t in tokens if t not in STOP and not _is_negation(t)
                         and _number(t) is None)
        clauses.append(_Clause(stems, sequence, _hypothetical(tokens),
                               tokens[0] in _CONDITIONS, _heads(tokens, not clauses),
                               _restricts(part)))
    order = tuple(_stem(t) for t in _tokens(text) if t not in STOP)
    numbers = frozenset(n for t in _tokens(text) if (n := _number(t)) is not None)
    segments = tuple(frozenset(_stem(t) for t in _tokens(part) if t not in STOP)
                     for part in _SEGMENT.split(text) if _tokens(part))
    return _Parsed(segments, tuple(clauses), frozenset(order), order, numbers)


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


def _best(clause: _Clause, others: tuple[_Clause, ...]) -> tuple[int, _Clause | None]:
    best: tuple[int, _Clause | None] = (0, None)
    for other in others:
        overlap = len(clause.stems & other.stems)
        if overlap > best[0]:
            best = (overlap, other)
    return best


def _polarity_mismatch(sentence: _Parsed, statement: _Parsed) -> bool:
    """Whether a clause of the sentence and the clause of the statement it says the same thing
    as disagree on negation."""
    for clause in sentence.clauses:
        overlap, other = _best(clause, statement.clauses)
        # Each must be the other's closest clause: "constructors do not have a return type"
        # is compared with the point's "constructors do not have return type", not with its
        # "but functions have to indicate a return type".
        if other is None or _best(other, sentence.clauses)[1] is not clause:
            continue
        # Only clauses that say much the same thing are compared: three shared content
        # words (two when one clause is that short), at least half of the shorter clause.
        smaller = min(len(clause.stems), len(other.stems))
        needed = 1 if smaller == 1 else 2 if smaller <= 3 else 3
        if overlap < needed or overlap < 0.5 * smaller:
            continue
        # A condition ("when a class does not include a constructor") is not a claim.
        if clause.conditional or other.conditional:
            continue
        # A negation counts only where what it governs is in the other clause too ("the
        # features correlate with sex" says nothing about "does not make the model fair");
        # a clause with a negation that governs nothing of the other is left undecided.
        if clause.stray_negation(other.stems) or other.stray_negation(clause.stems):
            continue
        # "(otherwise) features would dominate" describes the failure the point's "so they
        # do not dominate" prevents: a hypothetical against a fact is left undecided.
        if clause.hypothetical != other.hypothetical:
            continue
        # One clause that says the opposite of the point's clause is enough: "I would ship it
        # as it is; keep monitoring" contradicts "do not ship as is", whatever else agrees.
        if clause.negated(other.stems) != other.negated(clause.stems):
            # Beyond the negated word itself, the clauses must share what it is said of ("does
            # not *learn* from past trials" is not about "a new *learning* rate per trial").
            rest = (clause.stems & other.stems) - set(clause.heads) - set(other.heads)
            if len(rest) >= (1 if smaller <= 2 else 2):
                return True
    return False


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
                if any(_same_slot(x, a, y, b) and _paired(y, x, sentence, statement)
                       for x in ours for y in theirs):
                    flips.append((a, b))
    return flips


def _paired(clause: _Clause, other: _Clause, sentence: _Parsed, statement: _Parsed) -> bool:
    """Whether two clauses are each other's closest (by shared content words) in their texts."""
    return (_best(clause, statement.clauses)[1] is other
            and _best(other, sentence.clauses)[1] is clause)


def _near(clause: _Clause, word: str, shared: set[str]) -> bool:
    """Whether ``word`` stands right next to a word of ``shared`` (function words aside)."""
    at = [i for i, w in enumerate(clause.sequence) if w == word]
    return any(clause.sequence[j] in shared for i in at
               for j in (i - 1, i + 1) if 0 <= j < len(clause.sequence))


def _same_slot(ours: _Clause, a: str, theirs: _Clause, b: str) -> bool:
    """Whether ``a`` in one clause and ``b`` in the other fill the same slot: a content word
    the clauses share stands next to both ("*reducing* variance" and "*increasing* λ ... low
    variance" are not in the same slot)."""
    shared = set(ours.stems & theirs.stems) - {a, b}
    return any(_near(ours, a, {w}) and _near(theirs, b, {w}) for w in shared)


def _swapped(sentence: _Parsed, statement: _Parsed) -> tuple[tuple[str, str], ...]:
    """Contrast pairs the statement holds both words of, that the sentence may have put the
    wrong way round: it uses both in the other order, or only one of them (which end goes with
    which description is then for the caller to confirm by meaning)."""
    index = _contrast_index()
    found: list[tuple[str, str]] = []
    for a in statement.stems:
        for b in index.get(a, ()):
            if not (a < b and b in statement.stems):
                continue
            has_a, has_b = a in sentence.stems, b in sentence.stems
            if has_a and has_b:
                first_statement = statement.order.index(a) < statement.order.index(b)
                first_sentence = sentence.order.index(a) < sentence.order.index(b)
                if first_statement != first_sentence:
                    found.append((a, b))
            elif has_a or has_b:
                found.append((a, b))
    return tuple(sorted(found))


def _wrong_number(sentence: _Parsed, statement: _Parsed, known: frozenset[float]
                  ) -> str | None:
    """A number of the statement replaced by another of the same kind ("below the 0.6
    line" for "below the 0.8 line")."""
    if not statement.numbers or not sentence.numbers:
        return None
    missing = [m for m in statement.numbers if not _equivalent(m, sentence.numbers)]
    if len(missing) != 1:
        return None
    foreign = [n for n in sentence.numbers if not _equivalent(n, statement.numbers)
               and not _equivalent(n, known)]
    for n in sorted(foreign):
        for m in sorted(missing):
            if (n <= 1) == (m <= 1) and n != m and 0.2 <= (n / m if m else 0) <= 5:
                return f"gives {n:g} where the point has {m:g}"
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
    number = _wrong_number(s, p, known_numbers) if not reasons else None
    if number is not None:
        reasons.append(number)
    if reasons:
        return Judgement(Relation.CONTRADICTS, reasons[0])
    swaps = tuple((a, b) for a, b in _swapped(s, p) if a in s.stems and b in s.stems)
    if swaps:
        return Judgement(Relation.CONTRADICTS, "puts " + ", ".join(
            f"“{a}” and “{b}”" for a, b in swaps) + " the wrong way round", swaps)
    return Judgement(Relation.ASSERTS)


def leaning(sentence: str, statement: str) -> int:
    """A softer reading than :func:`judge`, for sentences the rules leave undecided: how many
    negations and direction words the sentence shares with the statement, less how many it
    reverses (a negation of a word the statement asserts, or the other word of a contrast).
    Below zero, the sentence leans against the statement."""
    s, p = parse(sentence), parse(statement)
    score = 0
    ours = {h for c in s.clauses for h in c.heads if h}
    theirs = {h for c in p.clauses for h in c.heads if h}
    for head in ours:
        if head in p.stems:
            score += 1 if head in theirs else -1
    for head in theirs - ours:
        if head in s.stems:
            score -= 1
    index = _contrast_index()
    for a in p.stems:
        partners = index.get(a, frozenset())
        if not partners:
            continue
        if a in s.stems:
            score += 1
        elif any(b in s.stems and b not in p.stems for b in partners):
            score -= 1
    return score


def _restricts(text: str) -> bool:
    return bool(re.search(r"\b(?:only|always|alone|just)\b", text, re.IGNORECASE))


def stance(sentence: str, statement: str) -> bool | None:
    """Whether ``sentence`` makes ``statement`` (True), denies it (False) or neither (None).

    It makes or denies it when one of its clauses holds all the statement's content words (85%
    of them for a statement of more than six; two at least); it denies it when that clause and
    the statement differ in negation
    (whatever the negation governs), or when the statement restricts ("only", "always") and
    the clause does not.
    """
    parsed = parse(statement)
    wanted = parsed.stems
    if len(wanted) < 2:
        return None
    negations = sum(len(c.heads) for c in parsed.clauses) % 2
    restricted = any(c.restricts for c in parsed.clauses)
    # Short statements are made only with all their words ("*data* drift means the input
    # distribution changes" does not make "*concept* drift means ...").
    needed = len(wanted) if len(wanted) <= 6 else 0.85 * len(wanted)
    for clause in parse(sentence).clauses:
        if len(wanted & clause.stems) < needed:
            continue
        return len(clause.heads) % 2 == negations and (clause.restricts or not restricted)
    return None


def states(sentence: str, statement: str) -> bool:
    """Whether ``sentence`` makes ``statement`` (see :func:`stance`)."""
    return stance(sentence, statement) is True


def swap_words(statement: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``statement`` with the words of each pair (by stem) put in each other's places."""
    surface: dict[str, str] = {}
    for w in _TOKEN.findall(statement):
        surface.setdefault(_stem(w.lower()), w)
    exchange = dict(pairs) | {b: a for a, b in pairs}

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        other = exchange.get(_stem(word.lower()))
        return surface.get(other, word) if other is not None else word

    return _TOKEN.sub(replace, statement)


def _negated_any(parsed: _Parsed) -> bool:
    return any(c.heads for c in parsed.clauses)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that are not function words (for structure checks)."""
    return [w for w in words(text) if w.lower() not in STOP]
