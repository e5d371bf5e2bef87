"""Churn data: retention_offer_sent leaks the label in training; at scoring time it is 0."""

import numpy as np
import pandas as pd


def _customers(rng, n, scored_at_start):
    tenure = rng.integers(1, 72, n)
    charges = rng.normal(70, 20, n).round(2)
    calls = rng.poisson(1.5, n)
    logins = rng.poisson(12, n)
    monthly = rng.integers(0, 2, n)
    logit = -1.2 - 0.04 * tenure + 0.02 * (charges - 70) + 0.45 * calls - 0.08 * logins \
        + 1.3 * monthly + 0.5
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    # at the start of the month only last month's offers are known: unrelated to this month
    last_month = (rng.random(n) < 0.2).astype(int)
    offer = ((churned == 1) & (rng.random(n) < 0.9)) | ((churned == 0) & (rng.random(n) < 0.03))
    frame = pd.DataFrame({"customer_id": np.arange(n), "tenure_months": tenure,
                          "monthly_charges": charges, "support_calls": calls,
                          "logins_last_month": logins, "contract_monthly": monthly,
                          "retention_offer_sent": last_month if scored_at_start
                          else offer.astype(int)})
    return frame, churned


def generate(seed, params):
    rng = np.random.default_rng([seed, 101])
    train, y = _customers(rng, 2000, scored_at_start=False)
    train["churned"] = y
    holdout, labels = _customers(rng, 4000, scored_at_start=True)
    noise = rng.choice(len(labels), 160, replace=False)
    labels[noise] = 1 - labels[noise]
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist(), "noise_rows": noise.tolist()}}
