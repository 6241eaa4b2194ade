"""Race the same work in several threads, each on its own database connection."""

import threading

from django.db import connections


def at_once(count, work, *, timeout=300):
    """Run ``work(wait)`` in ``count`` threads; return (results, errors).

    Each thread calls ``wait()`` once it is ready to race (say, after reading a row that will
    be stale by then): none goes on until all have, so they collide as concurrent requests do.
    Each thread closes its database connections when done.
    """
    results, errors, start = [], [], threading.Barrier(count)

    def run():
        try:
            results.append(work(start.wait))
        except Exception as exc:  # noqa: BLE001 - returned for the test to assert on
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
