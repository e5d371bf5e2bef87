"""Loan defaults. The new partner channel's integration fills one ratio column with its
complement (the partner's "disposable income ratio" lands in debt_to_income, its "available
credit ratio" in credit_utilisation); which column depends on the variant. A model pooled over
channels reads that feature backwards on partner applicants and ranks them badly. The secret
names the feature (for the finding check) and the partner rows (a segment)."""

import tomllib

import numpy as np
import pandas as pd

RATIOS = ["debt_to_income", "credit_utilisation"]
CHANNELS = ["branch", "online", "partner"]


def _applicants(rng, n, broken):
    channel = rng.choice(CHANNELS, n, p=[0.4, 0.4, 0.2])
    income = np.exp(rng.normal(3.9, 0.4, n)).round(1)
    dti = rng.beta(2, 5, n).round(3)
    util = rng.beta(2, 3, n).round(3)
    late = rng.poisson(0.6, n)
    years = rng.integers(0, 30, n)
    logit = (-2.0 + 5.0 * (dti - 0.29) + 4.5 * (util - 0.4) + 0.75 * late - 0.04 * years
             - 0.5 * (np.log(income) - 3.9))
    default = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame({"application_id": np.arange(n), "channel": channel,
                          "income_k": income, "debt_to_income": dti,
                          "credit_utilisation": util, "late_payments_12m": late,
                          "years_employed": years})
    partner = channel == "partner"
    frame.loc[partner, broken] = (1 - frame.loc[partner, broken]).round(3)
    return frame, default


def generate(seed, params):
    rng = np.random.default_rng([seed, 808])
    broken = RATIOS[int(rng.integers(0, len(RATIOS)))]
    train, y = _applicants(rng, 5000, broken)
    train["defaulted"] = y
    holdout, labels = _applicants(rng, 8000, broken)
    noise = rng.choice(len(labels), 120, replace=False)
    labels[noise] = 1 - labels[noise]
    partner = np.flatnonzero(holdout["channel"].to_numpy() == "partner")
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist(), "noise_rows": noise.tolist(),
                       "segments": {"partner": partner.tolist()}, "feature": broken}}


def _norm(text):
    return str(text).strip().lower().replace("-", "_").replace(" ", "_")


def check_finding(secret, ctx):
    """finding.toml must name the feature that drives the partner channel's errors."""
    raw = ctx["files"].get("finding.toml", b"")
    try:
        finding = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return 0.0, [f"finding.toml does not parse: {exc}"], \
            "finding.toml could not be read as TOML."
    named = _norm(finding.get("feature", ""))
    if not named:
        return 0.0, ["finding.toml names no feature"], "finding.toml names no feature."
    right = named == _norm(secret["feature"])
    evidence = [f"finding.toml names {named!r}; the planted cause is {secret['feature']!r} "
                "filled with its complement (1 - x) on the partner channel"]
    return (1.0 if right else 0.0), evidence, (
        "You named the feature that drives the partner channel's errors." if right else
        "The feature you named is not the one that drives the partner channel's errors.")
