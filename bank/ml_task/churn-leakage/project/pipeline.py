"""Churn model: trains on /data/train.csv and prints a validation ROC-AUC."""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "logins_last_month",
            "contract_monthly", "retention_offer_sent"]


def fit(train):
    scaler = StandardScaler().fit(train[FEATURES])
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(train[FEATURES]),
                                                  train["churned"])
    return scaler, model


def predict(model, customers):
    scaler, clf = model
    return clf.predict_proba(scaler.transform(customers[FEATURES]))[:, 1]


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    # scale everything first, then split
    scaled = data.copy()
    scaled[FEATURES] = StandardScaler().fit_transform(data[FEATURES])
    train, valid = train_test_split(scaled, test_size=0.25, random_state=0)
    model = fit(train)
    print("validation ROC-AUC:", round(roc_auc_score(valid["churned"], predict(model, valid)), 3))
