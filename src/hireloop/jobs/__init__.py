"""Durable grading jobs: a ``grading_jobs`` row is the truth, the huey queue carries its id.

Embedded default: a SQLite-backed huey queue in the data dir, consumed by threads inside
``hireloop serve``. Scale-out: ``HIRELOOP_REDIS_URL`` makes it Redis-backed, and ``hireloop
worker`` processes on any machine sharing the database and Redis consume it.
"""

from hireloop.jobs.runtime import JobRunner, Runtime

__all__ = ["JobRunner", "Runtime"]
