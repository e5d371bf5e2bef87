"""Demand forecast: a random forest on the calendar, the weather and promotions.
`python3 forecast.py` validates it on a held-out 20% of the days."""

import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

FEATURES = ["day_index", "day_of_week", "temperature", "promo"]


def fit(train):
    model = RandomForestRegressor(n_estimators=60, min_samples_leaf=2, random_state=0)
    return model.fit(train[FEATURES], train["demand"])


def predict(model, days):
    return model.predict(days[FEATURES])


if __name__ == "__main__":
    data = pd.read_csv("/data/train.csv")
    train, valid = train_test_split(data, test_size=0.2, random_state=0)
    model = fit(train)
    print("validation R²:", round(r2_score(valid["demand"], predict(model, valid)), 3))
