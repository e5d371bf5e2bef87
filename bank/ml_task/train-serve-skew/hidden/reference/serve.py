"""Serving: exactly the transform fitted at training time (the model carries it), never
statistics of the request, so one row or a thousand are scored the same way."""

import pandas as pd

from train import features


def predict(model, rows):
    return model["clf"].predict_proba(features(rows, model["scaler"], model["encoder"]))[:, 1]


if __name__ == "__main__":
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from train import fit

    data = pd.read_csv("/data/train.csv")
    train, valid = train_test_split(data, test_size=0.25, random_state=0)
    model = fit(train)
    one_by_one = [float(predict(model, valid.iloc[[i]])[0]) for i in range(20)]
    batch = predict(model, valid)
    assert max(abs(a - b) for a, b in zip(one_by_one, batch[:20])) < 1e-12
    print("validation ROC-AUC (serving code path):",
          round(roc_auc_score(valid["upgraded"], batch), 3))
