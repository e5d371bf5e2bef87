"""The built-in exercise kinds, each a plugin registered through the ``hireloop`` hook."""
