"""Daily demand with a growth trend, a weekly cycle, temperature and promotions. Training is
two years; the holdout is the next four months, strictly later. A random split lets a forest
memorise the level of neighbouring days; it cannot extrapolate the trend into the future."""

import numpy as np
import pandas as pd

TRAIN_DAYS, HOLDOUT_DAYS = 730, 120
WEEKLY = np.array([-18.0, -8.0, -4.0, 0.0, 12.0, 30.0, 22.0])


def _days(rng, start, n, slope, base):
    t = np.arange(start, start + n)
    dates = pd.Timestamp("2022-01-03") + pd.to_timedelta(t, unit="D")
    dow = dates.day_of_week.to_numpy()
    temp = (14 + 9 * np.sin(2 * np.pi * (t - 100) / 365.25) + rng.normal(0, 3, n)).round(1)
    promo = (rng.random(n) < 0.12).astype(int)
    demand = (base + slope * t + WEEKLY[dow] + 1.6 * (temp - 14) + 45 * promo
              + rng.normal(0, 10, n)).round(1)
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "day_index": t,
                          "day_of_week": dow, "temperature": temp, "promo": promo})
    return frame, demand


def generate(seed, params):
    rng = np.random.default_rng([seed, 505])
    slope = float(rng.uniform(0.22, 0.3))
    base = float(rng.uniform(150, 250))
    train, y = _days(rng, 0, TRAIN_DAYS, slope, base)
    train["demand"] = y
    holdout, labels = _days(rng, TRAIN_DAYS, HOLDOUT_DAYS, slope, base)
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist()}}
