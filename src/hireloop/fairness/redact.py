"""PII redaction for blind review: what a reviewer reads of an answer, with e-mail addresses,
phone numbers, URLs, handles, the candidate's own name and e-mail parts, and other person
names that a cue gives away replaced by ``[email]``, ``[phone]``, ``[url]``, ``[handle]`` and
``[name]``. Graders never see this: they grade the original.

Everything here is regular expressions and the candidate's own name, so it runs offline and
the same everywhere. Person names other than the candidate's are found only where a cue
introduces them (an honorific, "my name is", "my manager ...", a sign-off); a bare name
without a cue is not found (no NER model ships offline; see docs/fairness.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hireloop.nlp.text import STOPWORDS


@dataclass(frozen=True)
class Span:
    """A stretch of text to hide."""

    start: int
    end: int
    label: str
    """email | phone | url | handle | name"""


_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]*\s*(?:@|\(at\)|\[at\]|\{at\})\s*[A-Za-z0-9-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\{dot\})\s*[A-Za-z0-9-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\]|\{dot\})\s*[A-Za-z]{2,}")
_TLDS = ("com|org|net|io|dev|ai|co|uk|de|fr|nl|me|app|edu|gov|info|xyz|tech|page|site|ca|"
         "in|us|eu|ch|se|es|it|pl|cz|jp|cn|au|ly|gg|so|sh|to|tv|fm|github\\.io")
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'`)\]}]+"
    r"|\b(?:[A-Za-z0-9-]+\.)+(?:" + _TLDS + r")\b(?![(\w])(?:/[^\s<>\"'`)\]}]*)?",
    re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w.+/-])(?:\+\s?\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,6}"
    r"(?:[\s.-]\d{1,8}){1,5}(?![\w/]|\.\d)"
    r"|(?<![\w.+/-])\+\d{7,15}\b|(?<![\w.+/-])\(\d{3}\)\s?\d{3}[\s.-]?\d{4}\b"
    r"|(?<![\w.+/-])\d{10,11}\b")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_AT_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?")
_CUED_HANDLE = re.compile(
    r"\b(?:github|gitlab|twitter|kaggle|linkedin|telegram|discord|instagram|mastodon|"
    r"bluesky|hugging\s?face|stack\s?overflow|leetcode|reddit|slack|wechat|whatsapp|signal|"
    r"skype|line|threads)"
    r"(?:\s+(?:handle|username|user\s?name|profile|account|id))?\s*(?:is|:|-|=)\s*@?"
    r"(?P<h>[A-Za-z0-9_][A-Za-z0-9_.-]{1,38})"
    r"|\b(?:handle|username|user\s?name)\s*(?:is|:|=)?\s*@?(?P<h2>[A-Za-z0-9_][A-Za-z0-9_.-]{1,38})"
    r"|\b(?:github|gitlab|twitter|kaggle|telegram|discord|instagram|wechat|whatsapp|skype|"
    r"leetcode|reddit)\s+@?(?P<h3>[A-Za-z][A-Za-z0-9.-]*[_\d][A-Za-z0-9_.-]*)",
    re.IGNORECASE)
_NAME = r"[A-Z][a-zà-ÿ'’-]+(?:\s+(?:van|de|der|von|da|di|le|al|bin)?\s*[A-Z][a-zà-ÿ'’-]+)?"
_CUED_NAMES = [
    re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Professor|Sir|Madam)\.?\s+(?P<n>" + _NAME + ")"),
    re.compile(r"\b(?:[Mm]y name is|[Nn]ame:|[Cc]all me|I'm|I am|[Tt]his is)\s+(?P<n>"
               + _NAME + ")"),
    re.compile(r"\b(?:[Mm]y|[Oo]ur|[Tt]he|[Aa])\s+(?:former\s+|old\s+|new\s+)?(?:manager|colleague|"
               r"teammate|boss|lead|mentor|friend|co-?worker|director|supervisor|advisor|"
               r"adviser|professor|tech lead|team lead|CTO|CEO|VP|PM|intern|report|partner)"
               r",?\s+(?P<n>" + _NAME + ")"),
    re.compile(r"\b(?:named|called|with|told|asked|thanks to|according to)\s+(?P<n>"
               + _NAME + r")(?=\s*(?:,|\(|who\b|from\b|at\b|and\b|said\b|suggested\b))"),
    re.compile(r"(?:^|\n)\s*(?:Thanks|Thank you|Regards|Best|Best regards|Cheers|Sincerely|"
               r"Kind regards|Warm regards|—|--|-)\s*,?\s*\n?\s*(?P<n>" + _NAME + r")\s*\.?\s*$"),
]
_NOT_NAMES = frozenset({
    "I", "The", "This", "That", "It", "We", "They", "He", "She", "You", "A", "An", "In", "On",
    "At", "For", "To", "So", "But", "And", "Or", "If", "When", "Then", "Here", "There", "Not",
    "Sure", "Happy", "Glad", "Confident", "Sorry", "Interested", "Excited", "Also", "Currently",
    "Working", "Going", "Using", "Python", "PyTorch", "TensorFlow", "Very", "Really",
    "Yes", "No", "Team", "Manager", "Engineer", "Senior", "Junior", "Lead", "Data", "Machine",
    "Learning", "ML", "AI", "Google", "Amazon", "Microsoft", "Meta", "Apple", "OpenAI", "Just",
    "Still", "Now", "Today", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
})
MARKERS = {"email": "[email]", "phone": "[phone]", "url": "[url]", "handle": "[handle]",
           "name": "[name]"}


def _phone_ok(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if _DATE.match(text.strip()):
        return False
    if digits < 7 or digits > 15:
        return False
    international = text.lstrip().startswith("+")
    has_mark = international or text.lstrip().startswith("(") or any(c in text for c in "-.")
    groups = [g for g in re.split(r"[\s.()-]+", text.strip("+ ")) if g]
    if not international and any(len(g) > 6 for g in groups) and len(groups) > 1:
        return False
    return digits >= 10 or has_mark


def own_name_parts(name: str, email: str) -> list[str]:
    """Words that identify the candidate: the parts of their name and of their e-mail's local
    part (letters only, 3 or more), longest first."""
    parts = {p for p in re.split(r"[\s\-'’.,]+", name or "") if len(p) >= 2}
    local = (email or "").split("@", 1)[0]
    if len(local) >= 3:
        parts.add(local)
    parts |= {p for p in re.split(r"[._+\-\d]+", local) if len(p) >= 3}
    return sorted(parts, key=lambda p: (-len(p), p))


def find(text: str, *, name: str = "", email: str = "") -> list[Span]:
    """The spans to hide, not overlapping, in order."""
    spans: list[Span] = []
    for m in _EMAIL.finditer(text):
        spans.append(Span(m.start(), m.end(), "email"))
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?":
            end -= 1
        spans.append(Span(m.start(), end, "url"))
    for m in _PHONE.finditer(text):
        if _phone_ok(m.group(0)):
            spans.append(Span(m.start(), m.end(), "phone"))
    for m in _AT_HANDLE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start:m.start()].strip():
            continue  # a Python decorator at the start of a line
        spans.append(Span(m.start(), m.end(), "handle"))
    for m in _CUED_HANDLE.finditer(text):
        group = next(g for g in ("h", "h2", "h3") if m.group(g))
        word = m.group(group)
        if word.lower() in STOPWORDS or word.lower() in {"is", "my", "at", "on", "handle"}:
            continue
        spans.append(Span(m.start(group), m.end(group), "handle"))
    for part in own_name_parts(name, email):
        flags = 0 if part.lower() in STOPWORDS else re.IGNORECASE
        pattern = re.compile(r"(?<![\w@.])" + re.escape(part) + r"(?![\w@])", flags)
        spans.extend(Span(m.start(), m.end(), "name") for m in pattern.finditer(text))
    for pattern in _CUED_NAMES:
        for m in pattern.finditer(text):
            start, end = m.start("n"), m.end("n")
            words = m.group("n").split()
            if words[0] in _NOT_NAMES:
                continue
            if len(words) > 1 and words[-1] in _NOT_NAMES:  # "Jane Also": keep "Jane"
                end = start + len(words[0])
            spans.append(Span(start, end, "name"))
    return _merge(spans, text)


_PRIORITY = {"email": 0, "url": 1, "phone": 2, "handle": 3, "name": 4}


def _merge(spans: list[Span], text: str) -> list[Span]:
    spans.sort(key=lambda s: (s.start, _PRIORITY[s.label], -(s.end - s.start)))
    out: list[Span] = []
    for span in spans:
        if (out and span.label == out[-1].label == "name"
                and 0 <= span.start - out[-1].end <= 2
                and not text[out[-1].end:span.start].strip()):
            out[-1] = Span(out[-1].start, span.end, "name")  # "Jane Doe": one [name]
            continue
        if out and span.start < out[-1].end:
            last = out[-1]
            if span.end > last.end:
                out[-1] = Span(last.start, span.end, last.label)
            continue
        out.append(span)
    return out


def redact(text: str | None, *, name: str = "", email: str = "") -> str:
    """``text`` with every span ``find`` reports replaced by its marker."""
    if not text:
        return text or ""
    out = []
    last = 0
    for span in find(text, name=name, email=email):
        out.append(text[last:span.start])
        out.append(MARKERS[span.label])
        last = span.end
    out.append(text[last:])
    return "".join(out)


def redact_tree(value: Any, *, name: str = "", email: str = "") -> Any:
    """A copy of JSON-like data (a grade, criteria with evidence) with every string redacted."""
    if isinstance(value, str):
        return redact(value, name=name, email=email)
    if isinstance(value, dict):
        return {k: redact_tree(v, name=name, email=email) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_tree(v, name=name, email=email) for v in value]
    return value
