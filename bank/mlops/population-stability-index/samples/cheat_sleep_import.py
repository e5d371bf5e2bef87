"""Cheat (stalls the grader): sleep for an hour at import time, before any case has started its
timer, hoping that a grader without an outside wall clock hangs or gives up in the candidate's
favour."""

import time

time.sleep(3600)


def population_stability_index(*args, **kwargs):
    raise NotImplementedError
