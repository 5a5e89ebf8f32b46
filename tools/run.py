"""Execute a notebook headless, the way the tests and the key builder do.

A fresh kernel, ``MPLBACKEND=agg`` (figures are drawn but not shown, and no
``%matplotlib widget`` trap), a time limit per cell, the notebook's own folder as
working directory. Returns the executed notebook, the seconds it took and the
problems found in its outputs: errors, anything written to stderr, and warnings.

Example
-------
>>> nb, seconds, problems = execute("notebooks/00_welcome.ipynb")   # doctest: +SKIP
>>> problems                                                      # doctest: +SKIP
[]
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["execute", "output_problems", "CELL_TIMEOUT"]

CELL_TIMEOUT = 60


def output_problems(nb) -> list[str]:
    """Errors, stderr text and warnings in the outputs of an executed notebook."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            where = f"cell {index} (id {cell.get('id')})"
            if out.output_type == "error":
                problems.append(f"{where}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{where}: stderr: {out.text.strip()[:500]}")
            elif out.output_type == "stream" and "Warning" in out.text:
                problems.append(f"{where}: warning in stdout: {out.text.strip()[:500]}")
            elif out.output_type in ("display_data", "execute_result"):
                text = str(out.get("data", {}).get("text/plain", ""))
                if "Warning:" in text:
                    problems.append(f"{where}: warning in output: {text[:500]}")
    return problems


def execute(path: str | Path, *, env: dict[str, str] | None = None,
            timeout: int = CELL_TIMEOUT, allow_errors: bool = False):
    """Run a notebook top to bottom in a fresh kernel.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file; it is read, never written.
    env : dict, optional
        Extra environment variables for the kernel (added to ``os.environ``).
    timeout : int
        Seconds allowed per cell.
    allow_errors : bool
        Keep going after a failing cell (the error is then in the outputs).

    Returns
    -------
    (notebook, seconds, problems)
    """
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    kernel_env = {**os.environ, "MPLBACKEND": "agg", **(env or {})}
    # the kernel's own log (e.g. ipykernel's note about TCP transport) goes to the terminal, not
    # into the notebook; keep it to errors. Warnings raised by cell code still land in the outputs.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(env=kernel_env)
    seconds = time.perf_counter() - start
    return nb, seconds, output_problems(nb)
