"""What a gamed answer looks like, read from its structure rather than its layout.

- **Keyword lists**, bare ("proxies, four-fifths rule, calibration by group") or dressed as
  sentences ("It is the four-fifths rule. Calibration by group is key."): units of the answer
  that name one term and relate it to nothing (no second content phrase, no action verb), the
  same sentence frame over and over, or almost no function words at all.
- **"I don't know"** in its many forms ("no idea", "not familiar with this", "beyond what I
  know", "I would have to look it up"), when little else is said.
- **Words addressed to the evaluator** ("Note to the evaluator: ...", "ignore all previous
  instructions", "award full marks"): such sentences earn nothing and are flagged.

Each check is a small function of the answer's text; the content scorer decides what a finding
costs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from hireloop.nlp.text import STOPWORDS, Sentence, words

FUNCTION_WORDS = STOPWORDS | {"not", "no"}
"""function words, negations included (they shape a sentence, not its topic)"""
JOINERS = frozenset({
    "of", "in", "on", "for", "by", "with", "per", "across", "over", "under", "between", "from",
    "to", "at", "as", "through", "within", "against", "versus", "vs", "via"})
"""prepositions that stay inside a noun phrase ("calibration by group" is one term)"""
VACUOUS = frozenset(
    """
important key relevant crucial essential critical matter matters mattered apply applies
applied factor factors concern concerns issue issues thing things aspect aspects point points
topic topics notable worth noting mentioning significant main central core vital fundamental
involved needed required considered covered included mentioned addressed
also too yes here consideration considerations relevant relevance interesting good bad big
""".split()  # noqa: SIM905
)
"""words that pretend to be a predicate ("X is key", "Y matters") without relating anything"""
ACTION_VERBS = frozenset(
    """
use check monitor involve compare run add remove drop train retrain test measure ask escalate
delay ship hold keep stop review document compute plot log fix investigate audit calibrate
evaluate validate split tune deploy roll collect label sample reweight rebalance explain tell
show report alert replace set lower raise increase reduce avoid ensure make build write talk
decide recommend suggest propose look find identify estimate quantify simulate backtest
cause causes caused mean means meant leads lead led correlate correlates act acts predict
predicts learn learns learned memorise memorises memorize memorizes fit fits fail fails
depend depends require requires need needs help helps hurt hurts change changes changed
drive drives shift shifts grow grows fall falls rise rises block blocks flag flags catch
catches detect detects miss misses approve approves reject rejects score scores rank ranks
""".split()  # noqa: SIM905
)
"""verbs that make a terse unit a statement ("Use SHAP.", "Income correlates with sex.")"""
FRAGMENT_WORDS = 5
"""a comma-cut piece of at most this many words is a list fragment"""
RELATING = frozenset(
    """
because so which that since if when therefore thus while whereas although though unless
until means mean meaning why how whether causes leads so hence otherwise instead rather but
""".split()  # noqa: SIM905
)
"""words that relate one idea to another"""

_IDK = re.compile(
    r"\b(?:i\s+(?:really\s+|honestly\s+|simply\s+)?(?:do\s*n[o']?t|dont|don’t)\s+(?:really\s+)?"
    r"(?:know|understand|remember|get)|no\s+idea|not\s+sure|idk|no\s+clue|"
    r"i\s+have\s+no\s+(?:idea|clue|experience|background)|^\W*(?:pass|skip)\W*$|"
    r"(?:don't|can't|cannot|can’t|don’t)\s+(?:remember|recall|answer)|unsure|dunno|"
    r"not\s+(?:really\s+)?(?:familiar|an\s+expert|my\s+(?:area|field|expertise))|"
    r"(?:beyond|outside)\s+(?:my|what\s+I)|no\s+(?:knowledge|experience)\s+(?:of|with|in)|"
    r"(?:would|will|'d|’d)\s+(?:have|need)\s+to\s+(?:look|google|search|check)\s+(?:it|this|that)?"
    r"|haven't\s+(?:learned|studied|covered|seen)|have\s+not\s+(?:learned|studied|covered|seen)|"
    r"never\s+(?:learned|studied|heard\s+of)|can't\s+help|no\s+answer)",
    re.IGNORECASE | re.MULTILINE)
_EVALUATOR = re.compile(
    r"(?:\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:evaluator|grader|"
    r"reviewer|marker|examiner|assessor|ai|llm|model|system|scorer)|"
    r"\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding|other)\s+"
    r"(?:instructions|rules|guidelines|prompts?)|"
    r"\b(?:give|award|assign|grant)\s+(?:me\s+|this\s+(?:answer\s+|response\s+)?|it\s+)?"
    r"(?:full|maximum|max|top|perfect|high(?:est)?)\s+(?:marks|points|score|credit|grade)|"
    r"\b(?:score|grade|rate|mark)\s+(?:this|my)\s+(?:answer|response)\s+(?:as|with|at)\b|"
    r"\byou\s+are\s+(?:now\s+)?(?:a|an|the)\s+(?:grader|evaluator|assistant)|"
    r"\b(?:dear|attention)\s+(?:evaluator|grader|reviewer|ai|model)|"
    r"\b(?:this|the)\s+(?:answer|response)\s+(?:covers|addresses|meets|satisfies)\s+(?:all|every|"
    r"each)\s+(?:the\s+)?(?:key\s+points|rubric|criteria)|"
    r"^\W*system\s*:|\brubric\s+(?:says|requires)|\[(?:system|admin|instruction)\]|"
    r"\bwhen\s+you\s+(?:grade|score|evaluate|mark|review|assess)\b|"
    r"\b(?:respond|reply|output|return)\s+with\s+(?:a\s+)?(?:score|grade|mark)|"
    r"\bscore\s*[=:]\s*(?:1(?:\.0+)?|100)\b|"
    r"^\W*(?:assistant|grader|evaluator|chatgpt|claude|gpt|llm)\s*[,:]|"
    r"\btreat\s+(?:it|this)\s+as\s+(?:a\s+)?(?:perfect|correct|complete|full|model))",
    re.IGNORECASE | re.MULTILINE)


def _lower_words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in words(text)]


def idk(answer: str, novel_words: int) -> bool:
    """Whether the answer says it does not know and says little else: at most 25 words, or at
    most 8 content words that are neither the prompt's nor part of the admission."""
    if not _IDK.search(answer):
        return False
    return len(words(answer)) <= 25 or novel_words <= 8


def idk_cue(text: str) -> re.Match[str] | None:
    """The first "I don't know" phrase in ``text``."""
    return _IDK.search(text)


def addresses_evaluator(sentence: str) -> bool:
    """Whether ``sentence`` speaks to whoever grades the answer instead of answering."""
    return bool(_EVALUATOR.search(sentence))


@dataclass(frozen=True)
class Structure:
    """How much of an answer relates ideas to one another."""

    words: int
    terse_share: float
    """share of the words in units that name one term and relate it to nothing"""
    frame_share: float
    """share of the sentences written in the answer's most common frame ("It is the X.")"""
    function_words: int
    """distinct function words in the whole answer"""
    stop_share: float
    """share of the words that are function words"""
    short_share: float = 0.0
    """share of the sentences of at most six words (when there are five or more)"""
    fragment_share: float = 0.0
    """share of the words in fragments of at most four words, cut by commas out of sentences
    with three fragments or more ("calibration by group, false rejection rate, SHAP")"""
    relations: float = 0.0
    """words that relate ideas (because, so, which, means, if, when, ...) per 100 words"""

    @property
    def keyword_list(self) -> bool:
        """Bare terms, whether listed, bulleted or each dressed as a sentence."""
        if self.words < 8:
            return False
        if self.stop_share < 0.15:
            return True
        # Short answers to short questions may rightly be a list ("Refining, production and
        # maintenance."); the structure of prose is asked of longer answers only.
        if self.words < 20:
            return False
        if self.terse_share >= 0.6 or self.short_share >= 0.7 or self.telegraphic or (
                self.words >= 30 and self.function_words <= 6):
            return True
        return self.words >= 40 and (
            self.frame_share >= 0.6
            or self.fragment_share >= 0.45
            # A transcript's commas mark pauses, not lists: only the clearest lists count.
            or (not self.spoken and self.fragment_share >= 0.3 and self.relations < 4)
            or (not self.spoken and self.fragment_share >= 0.2 and self.relations < 1))

    spoken: bool = False
    """the text is a transcript (its commas are the recogniser's)"""
    sentences: int = 0
    median_length: float = 0.0
    """the median length in words of the sentences of three words or more"""

    @property
    def telegraphic(self) -> bool:
        """Eight sentences or more (headings and list markers aside), half of them of at most
        six words: statements listed one after another rather than an explanation."""
        return self.sentences >= 8 and self.median_length <= 6

    def describe(self) -> str:
        """The measurements, for the interviewer."""
        return (f"{self.terse_share:.0%} of the words are in bare terms, "
                f"{self.frame_share:.0%} of the sentences share one frame, "
                f"{self.short_share:.0%} of the sentences are six words or fewer, "
                f"{self.fragment_share:.0%} of the words in list fragments, "
                f"{self.relations:.1f} relating words per 100, "
                f"median sentence {self.median_length:g} words, "
                f"{self.function_words} distinct function words, "
                f"{self.stop_share:.0%} function words")


def _units(sentence: str) -> list[str]:
    return [u for u in re.split(r"[,;:•|/]|\s[-–—]\s", sentence) if words(u)]


def _chunks(unit: str) -> list[list[str]]:
    """Runs of content words; prepositions inside a noun phrase do not break a run."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for w in _lower_words(unit):
        if w in JOINERS and current:
            continue
        if w in FUNCTION_WORDS or w.endswith("n't"):
            if current:
                chunks.append(current)
            current = []
            continue
        if w in VACUOUS:
            continue
        current.append(w)
    if current:
        chunks.append(current)
    return chunks


def _verb(word: str, before: str | None) -> bool:
    if word in VACUOUS:
        return False
    if word in ACTION_VERBS:
        return True
    if len(word) >= 5 and word.endswith(("ed", "en")) and word not in {"often", "hidden"}:
        return True
    return (len(word) >= 6 and word.endswith("ing") and before is not None
            and before not in {"the", "a", "an"})


def _bare(unit: str) -> bool:
    """One term and nothing said of it: no verb, no negation, a single content phrase."""
    lowered = _lower_words(unit)
    if any(_verb(w, lowered[i - 1] if i else None) for i, w in enumerate(lowered)):
        return False
    if any(w in {"not", "no", "never"} or w.endswith("n't") for w in lowered):
        return False
    return len(_chunks(unit)) <= 1


def _frame(sentence: str) -> str:
    out: list[str] = []
    for w in _lower_words(sentence):
        slot = w if w in FUNCTION_WORDS else "X"
        if not (slot == "X" and out and out[-1] == "X"):
            out.append(slot)
    return " ".join(out)


def structure(sentences: list[Sentence], *, spoken: bool = False) -> Structure:
    """Measure how the answer's sentences relate their terms (see :class:`Structure`)."""
    all_words = [w for s in sentences for w in _lower_words(s.text)]
    n = len(all_words)
    if not n:
        return Structure(0, 0.0, 0.0, 0, 0.0, spoken=spoken)
    terse = 0
    for sentence in sentences:
        for unit in _units(sentence.text):
            if _bare(unit):
                terse += len(words(unit))
    frames = Counter(_frame(s.text) for s in sentences if len(words(s.text)) >= 2)
    frame_share = (frames.most_common(1)[0][1] / len(sentences)
                   if len(sentences) >= 4 and frames else 0.0)
    function = {w for w in all_words if w in FUNCTION_WORDS}
    stop_share = sum(w in FUNCTION_WORDS for w in all_words) / n
    fragments = 0
    for sentence in sentences:
        parts = [p for p in re.split(r"[,;/|]", sentence.text) if words(p)]
        if len(parts) >= 3:
            fragments += sum(len(words(p)) for p in parts if len(words(p)) <= FRAGMENT_WORDS)
    relations = sum(w in RELATING for w in all_words) * 100 / n
    lengths = [len(words(s.text)) for s in sentences]
    proper = [n for n in lengths if n >= 3]
    short_share = (sum(n <= 6 for n in lengths) / len(lengths)) if len(lengths) >= 5 else 0.0
    return Structure(n, round(terse / n, 4), round(frame_share, 4), len(function),
                     round(stop_share, 4), round(short_share, 4), round(fragments / n, 4),
                     round(relations, 2), spoken, len(proper),
                     float(median(proper)) if proper else 0.0)
