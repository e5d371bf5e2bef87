def sentence_bleu(hypothesis: list[str], references: list[list[str]], max_n: int = 4) -> float:
    """Sentence-level BLEU-max_n of `hypothesis` against one or more `references`.

    - Modified (clipped) n-gram precision for n = 1..max_n: a hypothesis n-gram counts at most
      as many times as it occurs in the single reference where it occurs most often.
    - p_1 = matches_1 / total_1; if matches_1 == 0 (or the hypothesis is empty) return 0.0.
    - For n >= 2: p_n = (matches_n + 1) / (total_n + 1), where total_n = max(len(hyp) - n + 1, 0).
    - Brevity penalty against the reference length closest to len(hypothesis) (the shorter one
      on a tie): BP = 1 if c > r else exp(1 - r / c).
    - BLEU = BP * exp(mean of log p_n over n = 1..max_n).

    Returns a float in [0, 1].
    """
    raise NotImplementedError
