"""Work on many files in parallel processes, results in input order, one crashed worker costing one file."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")


def in_order(
    fn: Callable[..., T],
    calls: Sequence[tuple[Any, ...]],
    *,
    jobs: int,
    crashed: Callable[[int, BaseException], T],
    setup: Callable[[], None] | None = None,
) -> Iterator[T]:
    """``fn(*calls[i])`` for each i, in ``jobs`` processes, yielded in input order as each is ready.

    ``fn`` must be a module-level function that returns its errors rather than raising them. A worker
    that dies (a crash in native code, the out-of-memory killer) breaks the pool: the file it was on
    is run once more in a fresh pool, and ``crashed(i, error)`` stands in for it if it dies again.
    Each worker gets an equal share of the CPU cores and leaves Ctrl-C to this process, which stops
    the workers and lets KeyboardInterrupt through. ``setup`` (module-level) runs in each worker first.
    """
    from concurrent.futures.process import BrokenProcessPool

    with _ctrl_c_held():
        pool = _pool(jobs, setup)
        futures: list[Future[T]] = [pool.submit(fn, *args) for args in calls]
    retried: set[int] = set()
    stop_now = True  # unless every item was yielded, or the caller stopped asking with nothing left running
    try:
        for i in range(len(calls)):
            while True:
                try:
                    result = futures[i].result()
                except BrokenProcessPool as exc:
                    if i in retried:
                        result = crashed(i, exc)
                    else:
                        retried.add(i)
                        pool.shutdown(wait=True, cancel_futures=True)
                        with _ctrl_c_held():
                            pool = _pool(jobs, setup)
                            for j in range(i, len(calls)):
                                if not _finished(futures[j]):
                                    futures[j] = pool.submit(fn, *calls[j])
                        continue
                yield result
                break
        stop_now = False
    except GeneratorExit:  # the caller stopped asking: workers still on an item are ended, not awaited
        stop_now = not all(f.done() for f in futures)
        raise
    finally:
        if stop_now:
            _terminate(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(jobs: int, setup: Callable[[], None] | None) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // jobs)
    # spawn, not fork: a forked child of a process with threads (PortAudio, CTranslate2, a spinner) can hang.
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(threads, setup),
    )


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT blocked in this thread while workers are started: they inherit the block, so a Ctrl-C in
    the moments before a worker's initializer ignores it (while Python starts and imports this package)
    cannot kill the worker and break the pool. Here the signal waits and arrives once the block ends."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks (nor a process group's Ctrl-C)
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _start_worker(threads: int, setup: Callable[[], None] | None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "pthread_sigmask"):  # held since the worker started (_ctrl_c_held); ignored now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # CTranslate2 and the BLAS read this before their first use: each worker keeps to its share of the
    # cores, so N workers do not fight over them. A value the user set is kept.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    if setup is not None:
        setup()


def _finished(future: Future[Any]) -> bool:
    """Done with a result of its own (not the broken pool's error)."""
    from concurrent.futures.process import BrokenProcessPool

    return future.done() and not future.cancelled() and not isinstance(future.exception(), BrokenProcessPool)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End the workers now (on Ctrl-C or an error here), instead of waiting for their items to finish.

    A worker ended while it was sending a result (a few hundred kB, more than a pipe holds) leaves half
    a message in the pool's result pipe, and the pool's manager thread would wait for the rest for
    ever: this process holds the pipe's writing end too, so it never reads an end. Once the workers are
    gone that end is closed, the manager thread reads the end of the pipe, finds the pool broken and
    stops, and the pool's shutdown returns. (No public way to do either before Python 3.14.)"""
    import contextlib

    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
