"""Fraud model for serving: a logistic regression on numpy arrays (the signal is linear)."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

FEATURES = [f"v{i}" for i in range(8)]


class Model:
    def __init__(self, coef, intercept):
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)


def fit(train):
    clf = LogisticRegression(max_iter=1000).fit(train[FEATURES], train["fraud"])
    return Model(clf.coef_[0], clf.intercept_[0])


def predict(model, rows):
    z = rows[FEATURES].to_numpy(dtype=np.float32) @ model.coef + model.intercept
    return 1.0 / (1.0 + np.exp(-z))


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    train, valid = train_test_split(data, test_size=0.25, random_state=0)
    model = fit(train)
    print("validation accuracy:", ((predict(model, valid) >= 0.5) == valid["fraud"]).mean())
