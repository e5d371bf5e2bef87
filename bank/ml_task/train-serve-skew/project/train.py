"""Training: log-transform spend, standardise the numbers, one-hot encode the plan, fit a
logistic regression. `python3 train.py` prints a validation score computed in THIS process."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["sessions_per_week", "account_age_days", "spend_usd"]


def features(frame, scaler, encoder):
    numbers = frame[NUMERIC].to_numpy(dtype=float)
    numbers[:, 2] = np.log1p(numbers[:, 2])
    return np.hstack([scaler.transform(numbers), encoder.transform(frame[["plan"]])])


def fit(train):
    numbers = train[NUMERIC].to_numpy(dtype=float)
    numbers[:, 2] = np.log1p(numbers[:, 2])
    scaler = StandardScaler().fit(numbers)
    encoder = OneHotEncoder(categories=[["pro", "basic", "free", "team"]],
                            sparse_output=False).fit(train[["plan"]])
    clf = LogisticRegression(max_iter=1000).fit(features(train, scaler, encoder),
                                                train["upgraded"])
    return {"scaler": scaler, "encoder": encoder, "clf": clf,
            "plans": list(encoder.categories_[0])}


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    train, valid = train_test_split(data, test_size=0.25, random_state=0)
    model = fit(train)
    scores = model["clf"].predict_proba(features(valid, model["scaler"], model["encoder"]))[:, 1]
    print("validation ROC-AUC (training code path):", round(roc_auc_score(valid["upgraded"],
                                                                          scores), 3))
