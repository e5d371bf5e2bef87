"""Default-risk model with the partner channel's broken column repaired. The attribution
that found it: per-channel validation AUC (partner is far worse), then, per channel, how each
feature relates to default: one ratio predicts default in the opposite direction on partner
rows only (and its distribution is mirrored), because the partner integration sends the
complement (1 - x). `inverted_columns` finds such a column from the training data, so the
same code repairs whichever ratio the integration fills backwards."""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["income_k", "debt_to_income", "credit_utilisation", "late_payments_12m",
            "years_employed"]
RATIOS = ["debt_to_income", "credit_utilisation"]


def inverted_columns(frame):
    """Ratio columns whose correlation with default has the opposite sign on the partner
    channel than on the others."""
    partner = frame["channel"] == "partner"
    flipped = []
    for column in RATIOS:
        there = frame.loc[partner, column].corr(frame.loc[partner, "defaulted"])
        elsewhere = frame.loc[~partner, column].corr(frame.loc[~partner, "defaulted"])
        if there * elsewhere < 0:
            flipped.append(column)
    return flipped


def clean(frame, columns):
    frame = frame.copy()
    partner = frame["channel"] == "partner"
    for column in columns:
        frame.loc[partner, column] = 1 - frame.loc[partner, column]
    return frame


def fit(train):
    columns = inverted_columns(train)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(clean(train, columns)[FEATURES], train["defaulted"])
    return {"model": model, "inverted_columns": columns}


def predict(model, applications):
    rows = clean(applications, model["inverted_columns"])
    return model["model"].predict_proba(rows[FEATURES])[:, 1]


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    print("median per channel:\n", data.groupby("channel")[RATIOS].median())
    train, valid = train_test_split(data, test_size=0.3, random_state=0)
    model = fit(train)
    print("filled backwards by the partner channel:", model["inverted_columns"])
    scores = predict(model, valid)
    print("validation ROC-AUC:", round(roc_auc_score(valid["defaulted"], scores), 3))
    for channel, rows in valid.groupby("channel"):
        print(f"  {channel:8}", round(roc_auc_score(rows["defaulted"],
                                                    scores[valid["channel"] == channel]), 3))
