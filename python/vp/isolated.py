"""Running code in a fresh process (SystemC allows one platform per process)."""
from __future__ import annotations

import concurrent.futures
import multiprocessing
from typing import Any, Callable


def run_isolated(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Calls fn(*args, **kwargs) in a new 'spawn' worker process and returns its
    result (exceptions are re-raised here). fn must be picklable: a module-level
    function. Use it to build several platforms from one Python program."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args, **kwargs).result()
