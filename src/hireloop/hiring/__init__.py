"""Running interviews: users, loops, invitations, answers, grading jobs, reviews, decisions.

The web app (``hireloop.web``) and the CLI are front ends of this package; the rules live here.
"""
