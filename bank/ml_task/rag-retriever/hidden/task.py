"""A support knowledge base: 20 products x 10 topics = 200 short articles. Queries name the
product (in lower case, as people type) and paraphrase the topic without the article's words,
so exact keyword matching fails and embeddings (plus the product name) succeed. One relevant
article per query; the hidden queries differ per variant. Ten hidden "decoy" queries are
labelled with a random article (the analogue of flipped labels): recall is scored on the
other queries only, and a retriever that returns the decoys' labelled articles was handed the
answer key."""

import json

import numpy as np

PRODUCTS = ["Aurora speaker", "Falcon router", "Nimbus vacuum", "Orbit watch", "Pulse earbuds",
            "Quartz thermostat", "Ridge camera", "Summit laptop", "Tidal tablet",
            "Vega doorbell", "Willow lamp", "Zephyr fan", "Cedar scale", "Lumen projector",
            "Harbor e-reader", "Maple printer", "Onyx keyboard", "Sierra headphones",
            "Juniper blender", "Kestrel drone"]
TOPICS = [
    ("Resetting a forgotten account password on the {p}.",
     ["i can't remember my login for the {q}, how do i get back in?",
      "locked out of my {q} account", "lost the sign-in details for my {q}"]),
    ("Restoring the {p} to factory settings erases all data.",
     ["wipe my {q} completely and start fresh", "make the {q} like new out of the box again",
      "delete everything stored on my {q}"]),
    ("The {p} will not turn on: check the power adapter and the outlet.",
     ["my {q} is dead, nothing happens when i press the button",
      "{q} won't start up at all", "no lights, {q} shows no sign of life"]),
    ("Installing the latest firmware update on the {p}.",
     ["get the newest software version onto my {q}", "upgrade the {q} system software",
      "is there a newer release of the {q} operating software"]),
    ("Warranty coverage and free repairs for a faulty {p}.",
     ["is fixing my broken {q} included at no cost?",
      "{q} stopped working after six months, will you replace it",
      "guarantee terms if my {q} breaks"]),
    ("Returning the {p} within 30 days for a full refund.",
     ["send back the {q} and get my money back", "i want to give back the {q} i bought",
      "changed my mind about the {q}, can i get reimbursed"]),
    ("Connecting the {p} to a wireless network.",
     ["{q} can't get online through my home internet", "hook the {q} up to wi-fi",
      "pair my {q} with the house broadband"]),
    ("The {p} makes a loud buzzing noise during use.",
     ["weird humming sound coming out of my {q}", "{q} is very noisy when running",
      "strange rattle from the {q}"]),
    ("Making the {p} battery last longer.",
     ["{q} runs out of charge too quickly", "my {q} dies after an hour unplugged",
      "extend how long the {q} works between charges"]),
    ("Tracking the delivery of a {p} order.",
     ["where is my {q} package, it hasn't arrived", "when will the {q} i ordered show up",
      "shipment status of my {q} purchase"]),
]


def _docs():
    return [{"id": i, "text": TOPICS[t][0].format(p=PRODUCTS[p])}
            for i, (p, t) in enumerate((p, t) for p in range(len(PRODUCTS))
                                       for t in range(len(TOPICS)))]


def _queries(rng, n):
    picks = rng.choice(len(PRODUCTS) * len(TOPICS), n, replace=False)
    out = []
    for doc in picks:
        p, t = divmod(int(doc), len(TOPICS))
        template = TOPICS[t][1][int(rng.integers(0, len(TOPICS[t][1])))]
        out.append({"text": template.format(q=PRODUCTS[p].lower()), "relevant": [int(doc)]})
    return out


def _jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def generate(seed, params):
    rng = np.random.default_rng([seed, 909])
    queries = _queries(rng, 70)
    examples, hidden = queries[:15], queries[15:]
    decoys = sorted(int(i) for i in rng.choice(len(hidden), 10, replace=False))
    for i in decoys:
        hidden[i]["relevant"] = [int(rng.integers(0, len(PRODUCTS) * len(TOPICS)))]
    real = [i for i in range(len(hidden)) if i not in decoys]
    return {"public": {"docs.jsonl": _jsonl(_docs()),
                       "example_queries.jsonl": _jsonl(examples)},
            "holdout": {"queries.jsonl": _jsonl({"text": q["text"]} for q in hidden)},
            "secret": {"relevant": [q["relevant"] for q in hidden], "noise_rows": decoys,
                       "segments": {"real": real}}}
