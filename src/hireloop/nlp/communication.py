"""Communication analysis of a free-text answer: is it clear for the reader the exercise names?

:func:`analyse` measures, deterministically and in about a millisecond,

- **readability** against the grade range of the audience (:mod:`hireloop.nlp.readability`);
- **jargon used without explanation**, for non-technical readers: terms from the ML lexicon in
  ``data/jargon.toml`` that the answer does not define near their first use ("X, which means",
  "X (the share of ...)", "X: ...", "X is when ...", "what we call X", "In other words, ...");
- **sentence length**: sentences too long for the reader;
- **structure**: an answer-first opening (no throat-clearing, the recommendation not buried at
  the end), paragraphs or lists in a long answer;
- **length** against the exercise's ``min_words`` and ``max_words``;
- **hedging and filler** phrases ("I think", "maybe", "basically", "you know");
- for behavioural answers, **STAR**: the sentence that shows the situation, the task, the
  candidate's own action and the result, and which parts are missing.

Each problem becomes a :class:`Finding` with plain feedback for the candidate and, where there
is one, the verbatim words of the answer it is about. The score starts at 1 and loses a share
for each finding (more for a major one).
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from hireloop.nlp.readability import (
    Audience,
    ReadabilityScores,
    audience_profile,
    count_syllables,
    measure,
    sentences,
)
from hireloop.nlp.text import Sentence, words

Severity = Literal["info", "minor", "major"]
GENRES_WITH_A_VERDICT = frozenset({"ethics", "research"})
"""genres where the answer should lead with its conclusion (a recommendation, a finding); in
the others only the opening is checked for throat-clearing"""
TECHNICAL_GENRES = frozenset({"theory", "system-design", "research", "ethics"})
"""genres that, when no audience is named, are written for a technical interviewer"""

PENALTY: dict[Severity, float] = {"info": 0.0, "minor": 0.08, "major": 0.2}
"""what each finding takes off the score"""
GROUP_CAP = {"jargon": 0.3, "star": 0.5}
"""the most that one group of findings (jargon terms, STAR parts) can take off together"""
MAX_JARGON_FINDINGS = 6
"""unexplained terms reported one by one; the rest are listed in one more finding"""


@dataclass(frozen=True)
class Finding:
    """One observation about the answer's communication, with plain feedback."""

    code: str
    """a stable id, e.g. ``jargon-unexplained``, ``too-long``, ``star-missing-result``"""
    message: str
    """feedback for the candidate, in plain words"""
    evidence: str | None = None
    """the sentence or term of the answer it is about, verbatim (an exact substring)"""
    severity: Severity = "minor"


@dataclass
class CommunicationReport:
    """The communication side of grading a free-text answer."""

    score: float
    """in [0, 1]; 1 when nothing needs improving"""
    metrics: dict[str, float | int | str | bool]
    """the measurements behind the findings (for interviewers and calibration)"""
    findings: list[Finding] = field(default_factory=list)
    star: dict[str, str | None] | None = None
    """behavioural answers: the sentence showing each of situation, task, action and result
    (None where the part is missing); None for other genres"""


# -- the jargon lexicon ------------------------------------------------------------------------


@dataclass(frozen=True)
class JargonTerm:
    """A lexicon entry."""

    name: str
    variants: tuple[str, ...]
    plain: str
    exclude: tuple[re.Pattern[str], ...] = ()


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|[^\sA-Za-z0-9\-]")
"""words (contractions whole: "didn't"), and single symbols; spaces and hyphens only separate
("fine-tuning" = "fine tuning")"""


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("’", "'"))


@dataclass(frozen=True)
class _Variant:
    tokens: tuple[str, ...]
    """as written for initialisms (matched exactly), else lower case"""
    exact: bool
    term: int


@dataclass(frozen=True)
class Lexicon:
    """The jargon terms, indexed by the first word of each of their forms."""

    terms: tuple[JargonTerm, ...]
    index: dict[str, tuple[_Variant, ...]]
    """lower-cased first token -> the forms starting with it, longest first"""

    def find(self, tokens: list[str], i: int) -> tuple[_Variant, int] | None:
        """The longest form that starts at ``tokens[i]``, with the number of tokens it spans
        (a plural -s/-es on its last word is allowed)."""
        first = tokens[i].lower()
        keys = [first]
        if first.endswith("es"):
            keys.append(first[:-2])
        if first.endswith("s"):
            keys.append(first[:-1])
        best: tuple[_Variant, int] | None = None
        for key in keys:
            for variant in self.index.get(key, ()):
                n = len(variant.tokens)
                if (best is None or n > len(best[0].tokens)) and _matches(variant, tokens, i):
                    best = (variant, n)
                    break
        return best


def _same(word: str, want: str, *, exact: bool, last: bool) -> bool:
    if not exact:
        word = word.lower()
    if word == want:
        return True
    return last and want[-1:].isalpha() and (word == want + "s" or word == want + "es")


def _matches(variant: _Variant, tokens: list[str], i: int) -> bool:
    n = len(variant.tokens)
    if i + n > len(tokens):
        return False
    return all(_same(tokens[i + k], want, exact=variant.exact, last=k == n - 1)
               for k, want in enumerate(variant.tokens))


def _key(variant: str) -> str:
    return " ".join(_tokens(variant.lower()))


def _is_initialism(variant: str) -> bool:
    return not any(c.islower() for c in variant) and any(c.isupper() for c in variant)


@cache
def lexicon() -> Lexicon:
    """The ML jargon lexicon shipped in ``hireloop/nlp/data/jargon.toml`` (read once)."""
    source = resources.files("hireloop.nlp") / "data" / "jargon.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    terms: list[JargonTerm] = []
    owner: dict[str, int] = {}
    forms: dict[str, list[_Variant]] = {}
    for entry in data["term"]:
        term = JargonTerm(
            name=str(entry["name"]), variants=tuple(str(v) for v in entry.get("variants", ())),
            plain=str(entry["plain"]),
            exclude=tuple(re.compile(str(x)) for x in entry.get("exclude", ())))
        for written in (term.name, *term.variants):
            key = _key(written)
            if owner.setdefault(key, len(terms)) != len(terms):
                raise ValueError(f"jargon.toml: {written!r} belongs to two terms")
            exact = _is_initialism(written)
            tokens = tuple(_tokens(written if exact else written.lower()))
            variant = _Variant(tokens, exact, len(terms))
            bucket = forms.setdefault(tokens[0].lower(), [])
            if variant not in bucket:
                bucket.append(variant)
        terms.append(term)
    index = {k: tuple(sorted(v, key=lambda x: -len(x.tokens))) for k, v in forms.items()}
    return Lexicon(tuple(terms), index)


# -- finding jargon and its explanations --------------------------------------------------------

_MARKUP = r"[\"'”’“‘*_`]*"
_DEF_AFTER = re.compile(
    rf"""^{_MARKUP}(?:\s*\([^)]{{1,15}}\))?{_MARKUP}(?:
        \s*\((?=[^)]*[A-Za-z]{{3,}}[^)]*\s[^)]*[A-Za-z]{{3,}})           # (the share of ...)
      | \s*,?\s*(?:which|that|who)\s+(?:is|are|was|were|means?|measures?|tells?|counts?|
            refers?|describes?|says|captures?|checks?|asks?|answers?|shows?|estimates?)\b
      | \s*,?\s*(?:i\.e\.|ie\b|meaning\b|that\s+is\b|in\s+other\s+words\b|or\s+in\s+plain|
            put\s+simply|simply\s+put|which\s+is\s+to\s+say|aka\b|also\s+(?:called|known)|
            in\s+plain\s+(?:english|terms|words|language))
      | \s*:\s+["'“‘(]?[A-Za-z] | \s+[—–]\s*[A-Za-z] | [—–]\s+[A-Za-z] | \s+-{{1,2}}\s+[A-Za-z]
      | ,\s+or\s+(?:how|what|whether|the|a|an|in|when|where|simply|roughly)\b
      | ,\s+(?:a|an|the)\s+[^,.;:]{{0,60}}?\b(?:that|which|who|where|for|of|to|when|measuring|
            meaning)\b
      | \s*,?\s*(?:I|we)\s+mean\b
      | \s+(?:is|are|was)\s+(?:just\s+|simply\s+|basically\s+|essentially\s+|roughly\s+)?(?:
            when|where|how|what|whether|if|about\b|like\b
          | the\s+(?:\w+\s+)?(?:share|fraction|proportion|percentage|percent|number|count|
              chance|probability|odds|rate|idea|practice|process|act|habit|tendency|risk|way|
              name|measure|ratio|average|gap|difference|amount|degree|extent|step|part|
              question|technical\s+term|term|word)\b
          | an?\s+(?:\w+\s+)?(?:way|measure|method|technique|trick|penalty|rule|score|number|
              kind|type|form|process|test|tool|list|check|step|setting|ratio|measurement|
              metric|name|term|word|shortcut|summary|estimate|approach|algorithm|average|
              index|model|system|program|programme|chart|graph|table|curve|piece|unit|
              situation|problem|mistake|sign|signal|guarantee|set)\b)
      | \s+(?:means?|refers?\s+to|describes?|stands?\s+for|is\s+short\s+for|measures?|asks?|
            checks?|captures?|tells?\s+(?:us|you|me)|answers?\s+(?:the\s+question)?|
            happens?\s+when|occurs?\s+when|is\s+what\s+happens|
            (?:works?|writes?|learns?|predicts?|operates?|decides?)\s+by)\b
    )""", re.IGNORECASE | re.VERBOSE)
_DEF_BEFORE = re.compile(
    rf"""(?:\b(?:called|named|termed|dubbed|known\s+as|so-called|
        what\s+(?:we|people|engineers|statisticians|data\s+scientists|researchers|the\s+field|
            the\s+industry)\s+(?:calls?|refers?\s+to\s+as)|
        the\s+(?:technical|fancy|jargon|formal|official)\s+(?:term|name|word)\s+
            (?:for\s+(?:this|that|it)\s+)?is|
        (?:this|that|it)\s+is\s+(?:what\s+we\s+mean\s+by|called)|
        think\s+of|a\s+(?:term|word)\s+like)\s*{_MARKUP})$""", re.IGNORECASE | re.VERBOSE)
_DEF_NEXT = re.compile(
    rf"""^{_MARKUP}\s*(?:in\s+other\s+words|put\s+simply|simply\s+put|to\s+put\s+it\s+simply|
        in\s+plain\s+(?:english|terms|words|language)|that\s+is(?:\s+to\s+say)?,|i\.e\.|
        (?:this|that|it)\s+(?:just\s+|simply\s+|basically\s+)?means|
        think\s+of\s+(?:it|this|that)\s+as|imagine|picture\s+(?:a|an|this|it)|for\s+example|
        (?:this|that|it)(?:'s|’s|\s+is)\s+(?:just\s+|simply\s+|basically\s+)?(?:when|where|how|
            what|whether|the\s+(?:share|fraction|proportion|percentage|number|chance|
            probability|rate|idea|way|measure)\b|a\s+(?:way|measure|method|technique|penalty|
            rule|number|score)\s+(?:of|to|for|that)\b))""", re.IGNORECASE | re.VERBOSE)


@dataclass(frozen=True)
class _Use:
    term: JargonTerm
    surface: str
    start: int
    end: int
    sentence: int


def _sentence_of(starts: list[int], position: int) -> int:
    return max(0, bisect.bisect_right(starts, position) - 1)


def _jargon_uses(text: str, sents: list[Sentence]) -> list[_Use]:
    lex = lexicon()
    starts = [s.start for s in sents]
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    tokens = [text[a:b].replace("’", "'") for a, b in spans]
    uses: list[_Use] = []
    i = 0
    while i < len(tokens):
        found = lex.find(tokens, i)
        if found is None:
            i += 1
            continue
        variant, n = found
        start, end = spans[i][0], spans[i + n - 1][1]
        term = lex.terms[variant.term]
        index = _sentence_of(starts, start)
        if not (term.exclude and sents and _excluded(term, sents[index], start, end)):
            uses.append(_Use(term, text[start:end], start, end, index))
            i += n
        else:
            i += 1
    return uses


def _excluded(term: JargonTerm, sent: Sentence, start: int, end: int) -> bool:
    """Whether the use at ``start:end`` sits inside an ordinary-English phrase of the term."""
    return any(m.start() <= start - sent.start and end - sent.start <= m.end()
               for pattern in term.exclude for m in pattern.finditer(sent.text))


def _defined_at(use: _Use, text: str, sents: list[Sentence]) -> bool:
    if not sents:
        return False
    sent = sents[use.sentence]
    after = text[use.end:max(sent.end, use.end)]
    before = text[min(sent.start, use.start):use.start]
    if _DEF_AFTER.match(after) or _DEF_BEFORE.search(before):
        return True
    following = sents[use.sentence + 1] if use.sentence + 1 < len(sents) else None
    return following is not None and bool(_DEF_NEXT.match(following.text))


@dataclass(frozen=True)
class _JargonResult:
    used: list[_Use]
    """the first use of each term, in order"""
    unexplained: list[_Use]
    late: list[tuple[_Use, _Use]]
    """(first use, the later use where it is defined)"""
    explained: list[_Use]


NEAR = 2
"""a definition counts as "at first use" up to this many sentences after the first use"""


def _jargon(text: str, sents: list[Sentence]) -> _JargonResult:
    by_term: dict[str, list[_Use]] = {}
    for use in _jargon_uses(text, sents):
        by_term.setdefault(use.term.name, []).append(use)
    used, unexplained, explained = [], [], []
    late: list[tuple[_Use, _Use]] = []
    for uses in by_term.values():
        first = uses[0]
        used.append(first)
        defined = [u for u in uses if _defined_at(u, text, sents)]
        if any(u.sentence <= first.sentence + NEAR for u in defined):
            explained.append(first)
        elif defined:
            late.append((first, defined[0]))
        else:
            unexplained.append(first)
    return _JargonResult(used, unexplained, late, explained)


# -- hedging, filler, openings ------------------------------------------------------------------

_DETERMINER_BEHIND = "".join(
    rf"(?<!\b{d} )" for d in ("a", "the", "what", "this", "that", "any", "some", "same", "one",
                              "every", "which", "each", "no", "other", "those", "these"))
_HEDGE = re.compile(
    r"\b(?:I\s+(?:think|believe|guess|suppose|assume|feel\s+(?:like|that)|would\s+say|'d\s+say)|"
    r"I'd\s+(?:say|guess)|maybe|perhaps|probably|possibly|presumably|somewhat|arguably|"
    r"hopefully|it\s+seems|seems\s+(?:to|like)|"
    rf"{_DETERMINER_BEHIND}(?:sort|kind)\s+of|"
    r"I'?m\s+not\s+(?:entirely\s+|completely\s+|totally\s+|100%\s+)?sure|"
    r"I\s+am\s+not\s+(?:entirely\s+|completely\s+|totally\s+)?sure|more\s+or\s+less|"
    r"to\s+some\s+(?:extent|degree)|in\s+a\s+way|if\s+I'?m\s+not\s+mistaken|not\s+100%)\b",
    re.IGNORECASE)
_FILLER = re.compile(
    r"\b(?:basically|actually|literally|honestly|to\s+be\s+honest|you\s+know|"
    r"I\s+mean,|like\s+I\s+said|um+|uh+|erm+|hmm+|so\s+yeah|at\s+the\s+end\s+of\s+the\s+day|"
    r"needless\s+to\s+say|obviously|and\s+stuff|or\s+whatever|and\s+so\s+on\s+and\s+so\s+forth)"
    r"(?![A-Za-z])|(?<=, )like(?=,)", re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^[\"'*_#\s]*(?:"
    r"(?:that'?s|that\s+is|this\s+is|what)\s+(?:a\s+|an\s+)?(?:really\s+|very\s+)?"
    r"(?:great|good|interesting|excellent|tough|tricky|fascinating)\s+question|"
    r"(?:great|good|interesting|excellent)\s+question|"
    r"before\s+(?:I|we)\s+(?:answer|start|begin|dive|get\s+into)|"
    r"let\s+me\s+(?:first\s+)?(?:start|begin)\s+(?:by|with)|"
    r"to\s+(?:answer|understand|address)\s+(?:this|that|the|your)\s+(?:question|problem)|"
    r"in\s+order\s+to\s+answer|(?:first(?:ly)?,?\s+)?(?:some|a\s+bit\s+of|a\s+little)\s+"
    r"(?:background|context)|"
    r"there\s+are\s+(?:many|several|a\s+lot\s+of|lots\s+of|a\s+number\s+of|various)\s+"
    r"(?:things|factors|ways|aspects|considerations|points|angles|reasons)\b|"
    r"(?:in|over)\s+(?:recent|the\s+last|the\s+past)\s+(?:few\s+)?(?:years|decades)|"
    r"in\s+today'?s\s+(?:world|age|landscape)|in\s+the\s+(?:modern\s+)?(?:world|age|era)\s+of|"
    r"when\s+it\s+comes\s+to|as\s+we\s+(?:all\s+)?know|it\s+is\s+(?:widely\s+)?known|"
    r"(?:machine\s+learning|artificial\s+intelligence|AI|ML|deep\s+learning|data\s+science)\s+"
    r"(?:is|has\s+(?:been|become))\b|since\s+the\s+dawn|throughout\s+history|historically|"
    r"it\s+is\s+important\s+to\s+(?:note|understand|consider|remember)|"
    r"I\s+(?:will|'ll|am\s+going\s+to|'m\s+going\s+to)\s+(?:first\s+)?(?:start|begin|explain|"
    r"walk|talk|go\s+through|discuss|cover|describe|outline)|"
    r"in\s+this\s+(?:answer|response|essay|note|reply|write-?up)|"
    r"this\s+(?:answer|response|essay|note|write-?up)\s+(?:will|covers|explains|discusses|"
    r"describes|outlines))", re.IGNORECASE)
_VERDICT = re.compile(
    r"\b(?:(?:I|we)\s+(?:would\s+|'d\s+|strongly\s+)?(?:recommend|suggest|propose|advise)|"
    r"my\s+(?:recommendation|advice|suggestion|answer|verdict|conclusion|proposal|take)|"
    r"(?:short|quick|simple)\s+answer|in\s+short|bottom\s+line|in\s+(?:summary|conclusion)|"
    r"to\s+(?:sum\s+up|summari[sz]e|conclude)|the\s+(?:honest\s+)?summary|"
    r"so\s+the\s+answer|the\s+short\s+version|recommendation\b)", re.IGNORECASE)
_STANCE = re.compile(
    r"\b(?:I|I'd|I'm|I'll|we|we'd|we're|we'll|my|our|should|shouldn't|must|can't|cannot|"
    r"don't|won't|wouldn't|recommend|yes|no|not)\b|^(?:short|in\s+short|yes|no)\b",
    re.IGNORECASE)

# -- STAR ---------------------------------------------------------------------------------------

_STAR_CUES: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    "situation": (
        (re.compile(r"\b(?:at|in|with)\s+(?:my|our)\s+(?:last|previous|current|former|first|old)"
                    r"\s+(?:job|role|company|team|position|employer|startup|internship|"
                    r"workplace|project)\b", re.I), 2.0),
        (re.compile(r"\b(?:when|while)\s+I\s+(?:was|worked|joined|led|ran|started)\b", re.I), 2.0),
        (re.compile(r"\b(?:last|this|that|one)\s+(?:year|quarter|summer|spring|autumn|fall|"
                    r"winter|month|time)\b|\b(?:in|back\s+in|during)\s+(?:(?:early|late|mid)"
                    r"[\s-]?)?(?:19|20)\d\d\b|\bat\s+the\s+time\b|\ba\s+few\s+(?:years|months)"
                    r"\s+ago\b", re.I), 1.5),
        (re.compile(r"\bI\s+(?:was|worked)\s+(?:working\s+)?(?:as|at|on|in|for)\b|"
                    r"\bI\s+(?:joined|was\s+(?:a|an|the|one\s+of|part\s+of))\b", re.I), 1.5),
        (re.compile(r"\b(?:our|the|my)\s+(?:team|company|product|model|system|service|pipeline|"
                    r"startup|client|customer|group|department|org|organi[sz]ation)\s+"
                    r"(?:was|were|had|needed|faced|used|ran|relied|built|owned)\b", re.I), 1.0),
        (re.compile(r"\b(?:situation|context|background|setting)\b|\bthere\s+(?:was|were)\b",
                    re.I), 1.0),
    ),
    "task": (
        (re.compile(r"\bmy\s+(?:job|task|role|goal|responsibility|remit|assignment|brief|"
                    r"mission|part|objective)\b", re.I), 2.0),
        (re.compile(r"\bI\s+(?:was|had\s+been)\s+(?:asked|tasked|responsible|in\s+charge|"
                    r"accountable|assigned|given|expected|supposed|brought\s+in|hired)\b", re.I),
         2.0),
        (re.compile(r"\b(?:I|we|the\s+team)\s+(?:needed|had|wanted|were\s+asked|was\s+asked)\s+"
                    r"to\b", re.I), 1.5),
        (re.compile(r"\bthe\s+(?:goal|task|challenge|problem|objective|aim|ask|deadline|"
                    r"requirement|target)\s+(?:was|were|is)\b", re.I), 1.5),
        (re.compile(r"\bit\s+fell\s+to\s+me\b|\bI\s+(?:owned|took\s+(?:on|ownership|charge))\b|"
                    r"\bI\s+volunteered\s+to\b|\bI\s+was\s+(?:the\s+one\s+)?on[\s-]call\b|"
                    r"\bI\s+was\s+(?:the\s+)?(?:owner|lead|incident\s+lead|point\s+person)\b",
                    re.I), 1.5),
    ),
    "action": (
        (re.compile(
            r"\bI\s+(?:then\s+|first\s+|also\s+|quickly\s+|immediately\s+|personally\s+|"
            r"eventually\s+|next\s+|finally\s+|instead\s+|proactively\s+)?"
            r"(?!was\b|had\b|needed\b|wanted\b|felt\b|learned\b|learnt\b|realised\b|realized\b|"
            r"joined\b|worked\b|noticed\b|hoped\b|liked\b|loved\b|believed\b|used\s+to\b)"
            r"(?:[a-z]{3,}ed|built|wrote|ran|set|made|took|met|led|brought|began|spoke|chose|"
            r"found|gave|put|sent|drew|dug|sat|went|got|held|kept|split|cut|rewrote|shipped|"
            r"drove|did|broke|caught|sought|taught|told|won|rebuilt|undertook|overcame|paired|"
            r"stepped|pushed|dove|dived|reran|rolled|shared|wrote|read)\b"), 2.0),
        (re.compile(r"\b(?:so|then|first|next|after\s+that|finally|instead),?\s+I\b", re.I), 1.0),
        (re.compile(r"\bI\s+(?:decided|proposed|suggested|organi[sz]ed|scheduled|reached\s+out|"
                    r"talked|asked|convinced|negotiated|escalated|prototyped|analy[sz]ed|"
                    r"investigated|designed|implemented|introduced|automated|mentored|"
                    r"coordinated|presented)\b"), 1.0),
    ),
    "result": (
        (re.compile(r"\b(?:as\s+a\s+result|the\s+result|in\s+the\s+end|ultimately|ended\s+up|"
                    r"the\s+outcome|result(?:ed|s)?\s+in|which\s+(?:led|meant)|this\s+(?:led|"
                    r"meant)|since\s+then|by\s+the\s+end|afterwards|eventually)\b", re.I), 2.0),
        (re.compile(r"\b(?:reduced|cut|increased|improved|saved|raised|lowered|grew|dropped|fell|"
                    r"rose|doubled|halved|tripled|shipped|launched|delivered|hit|met|exceeded|"
                    r"beat|recovered|prevented|avoided|went\s+(?:from|down|up))\b", re.I), 1.0),
        (re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent|per\s*cent|x\b|×|points?\b|pp\b|hours?\b|"
                    r"days?\b|weeks?\b|months?\b|minutes?\b|ms\b|k\b|million|billion)|"
                    r"[$£€]\s?\d", re.I), 1.5),
        (re.compile(r"\b(?:I|we)\s+(?:learned|learnt|realised|realized)\b|\blessons?\b|"
                    r"\blooking\s+back\b|\bnext\s+time\b|\bdo\s+differently\b|\bsince\s+then\b",
                    re.I), 1.5),
    ),
}
_STAR_ADVICE = {
    "situation": ("star-missing-situation", "minor",
                  "Your story doesn't set the scene. Open with a sentence or two on where you "
                  "were and what was going on (the Situation)."),
    "task": ("star-missing-task", "minor",
             "Say what you were responsible for or what had to be achieved (the Task), so the "
             "interviewer knows what success meant."),
    "action": ("star-missing-action", "major",
               "Say what you did yourself, step by step (the Action). That is what the "
               "interviewer is assessing."),
    "result": ("star-missing-result", "major",
               "Your story has no result. Say how it ended, with a number if you can (time "
               "saved, errors avoided, revenue), and what you learned."),
}
_WE = re.compile(r"\bwe\b", re.IGNORECASE)
_I = re.compile(r"\bI\b")
_NUMBER = re.compile(r"\d")


_LABEL = re.compile(
    r"^\W*(?:the\s+)?(?P<part>situation|context|background|task|goal|challenge|problem|"
    r"actions?|what\s+I\s+did|approach|results?|outcome|impact|what\s+I\s+learned|"
    r"what\s+I\s+learnt|lessons?(?:\s+learned)?|afterwards)\W*$", re.IGNORECASE)
_LABEL_PART = {"situation": "situation", "context": "situation", "background": "situation",
               "task": "task", "goal": "task", "challenge": "task", "problem": "task",
               "action": "action", "actions": "action", "what i did": "action",
               "approach": "action", "result": "result", "results": "result",
               "outcome": "result", "impact": "result", "what i learned": "result",
               "what i learnt": "result", "lesson": "result", "lessons": "result",
               "lessons learned": "result", "lesson learned": "result",
               "afterwards": "result"}


def _star(sents: list[Sentence]) -> dict[str, Sentence | None]:
    """The sentence that best shows each STAR part (cues plus where it sits in the story);
    a heading such as "**Result.**" marks the sentence after it."""
    labels: dict[int, str] = {}
    for i, sent in enumerate(sents[:-1]):
        label = _LABEL.match(sent.text)
        if label is not None:
            labels[i + 1] = _LABEL_PART[" ".join(label.group("part").lower().split())]
    is_label = {i - 1 for i in labels}
    n = len(sents)
    found: dict[str, Sentence | None] = {}
    for part, cues in _STAR_CUES.items():
        best: tuple[float, int] | None = None
        for i, sent in enumerate(sents):
            if i in is_label:
                continue
            cue_score = sum(weight for pattern, weight in cues if pattern.search(sent.text))
            if labels.get(i) == part:
                cue_score += 3.0
            if cue_score <= 0:
                continue
            where = i / max(1, n - 1)
            prior = {"situation": 1 - where, "task": 1 - abs(where - 0.25),
                     "action": 1 - abs(where - 0.5), "result": where}[part]
            total = cue_score + 0.75 * prior
            if best is None or total > best[0]:
                best = (total, i)
        found[part] = sents[best[1]] if best is not None else None
    return found


# -- helpers ------------------------------------------------------------------------------------


def _reader(audience: str | None) -> str:
    if audience is None or not audience.strip():
        return "a non-specialist reader"
    name = audience.strip()
    first = name.split()[0].lower()
    if first in {"a", "an", "the", "my", "our", "your", "their", "his", "her"} or (
            name.endswith("s") and not name.endswith("ss")):
        return name
    if _is_initialism(name.split()[0]):
        article = "an" if name[0] in "AEFHILMNORSX" else "a"
    else:
        article = "an" if name[0].lower() in "aeiou" else "a"
    return f"{article} {name}"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentence_grade(sentence_words: list[str]) -> float:
    spw = sum(count_syllables(w) for w in sentence_words) / len(sentence_words)
    return 0.39 * len(sentence_words) + 11.8 * spw - 15.59


@dataclass(frozen=True)
class _Structure:
    paragraphs: int
    list_items: int
    headings: int


def _structure(text: str) -> _Structure:
    blocks = [b for b in re.split(r"\n[ \t]*\n", text) if words(b)]
    lines = text.splitlines()
    items = sum(1 for line in lines if re.match(r"^\s*(?:[-*•]|\d+[.)])\s+\S", line))
    headings = sum(1 for line in lines
                   if re.match(r"^\s*(?:#{1,6}\s+\S|\*\*[^*\n]{2,80}\*\*|__[^_\n]{2,80}__)", line))
    return _Structure(len(blocks), items, headings)


def _score(findings: list[Finding]) -> float:
    groups: dict[str, float] = {}
    total = 0.0
    for f in findings:
        group = "jargon" if f.code.startswith("jargon") else (
            "star" if f.code.startswith("star") else f.code)
        groups[group] = groups.get(group, 0.0) + PENALTY[f.severity]
    for group, penalty in groups.items():
        total += min(penalty, GROUP_CAP.get(group, penalty))
    return round(max(0.0, min(1.0, 1.0 - total)), 4)


# -- the analysis -------------------------------------------------------------------------------


def analyse(text: str, *, genre: str, audience: str | None, min_words: int,
            max_words: int, spoken: bool = False) -> CommunicationReport:
    """Analyse how clearly ``text`` communicates to ``audience`` (see the module docstring).

    ``spoken``: ``text`` is a transcript. It has no layout to advise on (no paragraphs), and
    filler words are the delivery analysis's to count (:mod:`hireloop.speech.delivery`), once.

    Deterministic: the same arguments always give the same report.
    """
    sents = sentences(text)
    sentence_words = [words(s.text) for s in sents]
    scores: ReadabilityScores = measure(text)
    n_words = len(words(text))
    profile: Audience = audience_profile(audience)
    technical_reader = profile.technical or (audience is None and genre in TECHNICAL_GENRES)
    low, high = (10.0, 15.0) if audience is None and technical_reader else profile.grade
    reader = _reader(audience)
    findings: list[Finding] = []
    metrics: dict[str, float | int | str | bool] = {
        "words": n_words, "sentences": scores.sentences,
        "grade_level": scores.grade_level, "fk_grade": scores.fk_grade,
        "flesch_reading_ease": scores.flesch_reading_ease,
        "words_per_sentence": scores.words_per_sentence,
        "syllables_per_word": scores.syllables_per_word,
        "unfamiliar_share": scores.unfamiliar_share,
        "audience_group": profile.name, "target_grade_low": low, "target_grade_high": high,
    }

    # length
    if min_words and n_words < min_words:
        findings.append(Finding(
            "too-short",
            f"Your answer is {n_words} words; aim for at least {min_words} so there is room to "
            f"explain your reasoning.", None, "major" if n_words < min_words / 2 else "minor"))
    elif n_words > max_words:
        findings.append(Finding(
            "too-long",
            f"Your answer is {n_words} words; the target is at most {max_words}. Keep the "
            f"points that matter most to {reader} and cut the rest.", None,
            "major" if n_words > 1.5 * max_words else "minor"))
    metrics["length_ratio"] = round(n_words / max_words, 3) if max_words else 0.0

    # readability for the audience
    if n_words >= 30 and scores.grade_level > high + 1.5:
        hardest = max(
            ((i, _sentence_grade(ws)) for i, ws in enumerate(sentence_words) if len(ws) >= 8),
            key=lambda pair: pair[1], default=None)
        findings.append(Finding(
            "hard-to-read",
            f"Your answer reads at about grade {scores.grade_level:.0f}; for {reader} aim for "
            f"grade {low:.0f}-{high:.0f}. Use shorter sentences and everyday words"
            + (" (your hardest sentence is quoted)." if hardest else "."),
            sents[hardest[0]].text if hardest else None,
            "major" if scores.grade_level > high + 3.5 else "minor"))

    # sentence length
    limit = 45 if technical_reader else 35
    lengths = [len(ws) for ws in sentence_words]
    long_ones = [i for i, n in enumerate(lengths) if n > limit]
    metrics["longest_sentence"] = max(lengths, default=0)
    metrics["long_sentences"] = len(long_ones)
    if long_ones and (len(long_ones) >= 2 or max(lengths) > 1.5 * limit):
        longest = max(long_ones, key=lambda i: (lengths[i], -i))
        findings.append(Finding(
            "long-sentences",
            (f"{len(long_ones)} of your sentences run past {limit} words (the longest has "
             f"{lengths[longest]}). Split them: one idea per sentence." if len(long_ones) > 1
             else f"One of your sentences runs to {lengths[longest]} words. Split it: one idea "
             f"per sentence."),
            sents[longest].text,
            "major" if len(long_ones) >= 3 and len(long_ones) / len(lengths) >= 0.3 else "minor"))

    # jargon
    jargon = _jargon(text, sents)
    check_jargon = not technical_reader and (audience is not None or genre == "explanation")
    metrics["jargon_terms"] = len(jargon.used)
    metrics["jargon_checked"] = check_jargon
    metrics["jargon_unexplained"] = len(jargon.unexplained) if check_jargon else 0
    if check_jargon:
        for use in jargon.unexplained[:MAX_JARGON_FINDINGS]:
            findings.append(Finding(
                "jargon-unexplained",
                f"You used '{use.surface}' without saying what it means; {reader} may not know "
                f"it. Explain it the first time you use it, e.g. '{use.surface}, meaning "
                f"{use.term.plain}'.", use.surface, "minor"))
        rest = jargon.unexplained[MAX_JARGON_FINDINGS:]
        if rest:
            findings.append(Finding(
                "jargon-unexplained",
                f"You also used {len(rest)} more technical "
                + ("term" if len(rest) == 1 else "terms") + " without explaining "
                + ("it" if len(rest) == 1 else "them") + ": "
                + ", ".join(f"'{u.surface}'" for u in rest) + ".", rest[0].surface, "minor"))
        for first, _ in jargon.late:
            findings.append(Finding(
                "jargon-defined-late",
                f"You explain '{first.surface}' only later on; explain it the first time you use "
                f"it, so {reader} isn't lost in between.", first.surface, "info"))
        if jargon.explained:
            findings.append(Finding(
                "jargon-explained",
                "Good: you explained "
                + ", ".join(f"'{u.surface}'" for u in jargon.explained[:5])
                + " when you introduced "
                + ("it." if len(jargon.explained) == 1 else "them."),
                jargon.explained[0].surface, "info"))

    # structure: answer first, paragraphs
    structure = _structure(text)
    metrics["paragraphs"] = structure.paragraphs
    metrics["list_items"] = structure.list_items
    answer_first = True
    if sents:
        opening = sents[0]
        if _PREAMBLE.match(opening.text):
            answer_first = False
            findings.append(Finding(
                "no-answer-first",
                f"You open with '{_quote(opening.text)}' instead of your answer. Start with "
                f"the answer or recommendation in one sentence, then explain.",
                opening.text, "minor"))
        elif genre in GENRES_WITH_A_VERDICT and len(sents) >= 4:
            verdicts = [i for i, s in enumerate(sents) if _VERDICT.search(s.text)]
            early = [i for i in verdicts if i < 2]
            stance = any(_STANCE.search(s.text) for s in sents[:2])
            if verdicts and not early and verdicts[0] >= len(sents) / 2 and not stance:
                answer_first = False
                buried = sents[verdicts[0]]
                findings.append(Finding(
                    "no-answer-first",
                    f"Your main point ('{_quote(buried.text)}') only comes near the end. Put it "
                    f"in your first sentence, then give the reasons.", buried.text, "minor"))
    metrics["answer_first"] = answer_first
    wall_limit = 200 if genre == "behavioural" else 150
    if (not spoken and n_words >= wall_limit and structure.paragraphs <= 1
            and structure.list_items == 0 and structure.headings == 0):
        findings.append(Finding(
            "wall-of-text",
            f"Your {n_words}-word answer is one block of text. Break it into short paragraphs "
            f"(or a list) so {reader} can follow it.", None, "minor"))

    # hedging and filler
    hedges = list(_HEDGE.finditer(text))
    fillers = list(_FILLER.finditer(text))
    per_100 = 100 / max(1, n_words)
    metrics["hedges"] = len(hedges)
    metrics["fillers"] = len(fillers)
    if len(hedges) >= 3 and len(hedges) * per_100 >= 1.0:
        phrases = list(dict.fromkeys(m.group(0).lower() for m in hedges))
        starts = [s.start for s in sents]
        first_hedged = sents[_sentence_of(starts, hedges[0].start())].text if sents else None
        findings.append(Finding(
            "hedging",
            f"You hedge {len(hedges)} times (" + ", ".join(f"'{p}'" for p in phrases[:4])
            + "). State what you know plainly and keep caveats for what is really uncertain.",
            first_hedged,
            "major" if len(hedges) >= 6 and len(hedges) * per_100 >= 2.5 else "minor"))
    if not spoken and len(fillers) >= 3 and len(fillers) * per_100 >= 0.5:
        phrases = list(dict.fromkeys(m.group(0).lower() for m in fillers))
        findings.append(Finding(
            "filler",
            f"Filler words appear {len(fillers)} times (" + ", ".join(
                f"'{p}'" for p in phrases[:4]) + "); cut them, and your point gets stronger.",
            fillers[0].group(0),
            "major" if len(fillers) >= 6 and len(fillers) * per_100 >= 2 else "minor"))

    # STAR for behavioural answers
    star: dict[str, str | None] | None = None
    if genre == "behavioural":
        parts = _star(sents)
        star = {part: (s.text if s is not None else None) for part, s in parts.items()}
        metrics["star_parts"] = sum(s is not None for s in parts.values())
        for part, sent in parts.items():
            if sent is None:
                code, severity, message = _STAR_ADVICE[part]
                findings.append(Finding(code, message, None,
                                        "minor" if severity == "minor" else "major"))
        result = parts["result"]
        if result is not None and not _NUMBER.search(result.text):
            findings.append(Finding(
                "star-result-unquantified",
                "Your result has no number. If you can, say how much changed (e.g. 'review "
                "time fell from three days to one').", result.text, "info"))
        we, i = len(_WE.findall(text)), len(_I.findall(text))
        metrics["we_count"], metrics["i_count"] = we, i
        if we >= 4 and we >= 2 * max(1, i):
            example = next((s.text for s in sents if _WE.search(s.text)), None)
            findings.append(Finding(
                "star-we-not-i",
                f"Your story says 'we' {we} times and 'I' {i} times. Make your own part clear: "
                f"say 'I' for what you did yourself.", example, "minor"))

    return CommunicationReport(score=_score(findings), metrics=metrics, findings=findings,
                               star=star)
