"""Upgrade propensity: spend is log-normal (the model needs log1p), the plan is categorical,
sessions and account age matter. The starter's serving code skips the log, standardises each
request batch with its own statistics and encodes the plan in a different column order."""

import numpy as np
import pandas as pd

PLANS = ["pro", "basic", "free", "team"]


def _users(rng, n, campaign):
    plan = rng.choice(PLANS, n, p=[0.15, 0.35, 0.4, 0.1])
    sessions = rng.poisson(4 + (2.5 if campaign else 0), n)
    age = rng.integers(5, 900, n)
    spend = np.exp(rng.normal(3.0, 1.1, n)).round(2)
    plan_effect = pd.Series(plan).map({"pro": -1.6, "basic": 0.7, "free": -0.9,
                                       "team": 1.4}).to_numpy()
    logit = (-1.6 + plan_effect + 0.85 * (np.log1p(spend) - 3.0) + 0.22 * (sessions - 4)
             - 0.0012 * (age - 450))
    upgraded = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame({"user_id": np.arange(n), "plan": plan, "sessions_per_week": sessions,
                          "account_age_days": age, "spend_usd": spend})
    return frame, upgraded


def generate(seed, params):
    rng = np.random.default_rng([seed, 404])
    train, y = _users(rng, 3000, campaign=False)
    train["upgraded"] = y
    # scored after the spring campaign: more sessions, so more upgrades
    holdout, labels = _users(rng, 1500, campaign=True)
    noise = rng.choice(len(labels), 60, replace=False)
    labels[noise] = 1 - labels[noise]
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist(), "noise_rows": noise.tolist()}}
