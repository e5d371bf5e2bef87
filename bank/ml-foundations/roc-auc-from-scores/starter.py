def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve; a tied (positive, negative) pair counts as half.

    Args:
        y_true: 1-D sequence of 0/1 (or bool) labels, 1 = positive.
        y_score: 1-D sequence of real scores (may tie, may be +-inf, never nan).

    Returns:
        The AUC as a float in [0, 1].

    Raises:
        ValueError: if only one class is present, the lengths differ, or a label is not 0/1.
    """
    raise NotImplementedError
