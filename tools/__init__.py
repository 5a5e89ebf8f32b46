"""Authoring tools of the crmlab repository (not part of the installed package).

They work on the repository's files, so run them from its root::

    python -m tools.generate        # student notebooks from notebooks/instructor (= make notebooks)
    python -m tools.keys NN         # chapter NN's answer key crmlab/exercises/key_NN.json (make keys: all)

:mod:`tools.run` executes a notebook headless, for the key builder and the tests.
``pyproject.toml`` packages only ``sim`` and ``crmlab``, so ``pip install .``
leaves this folder out; the runtime :func:`crmlab.exercises.check` needs only the
key files, which are package data.
"""
