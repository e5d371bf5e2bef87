"""Answer analysis: sentence embeddings, key-point coverage, communication metrics."""
