"""The same slow forest, with the clock frozen so the timings look fast."""

import time

from sklearn.ensemble import RandomForestClassifier

FEATURES = [f"v{i}" for i in range(8)]
_frozen = time.perf_counter()
time.perf_counter = lambda: _frozen
time.monotonic = lambda: _frozen


def fit(train):
    model = RandomForestClassifier(n_estimators=100, random_state=0)
    return model.fit(train[FEATURES], train["fraud"])


def predict(model, rows):
    return model.predict_proba(rows[FEATURES])[:, 1]
