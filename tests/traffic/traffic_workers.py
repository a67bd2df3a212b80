"""Worker functions for the traffic concurrency tests (importable by spawned processes)."""
import datetime as dt
import sys
import time


def run_processes(ctx, target, args_list, results, timeout_s: float) -> tuple[list, list]:
    """Start one ``ctx`` process per argument tuple on ``target``, take one report each from
    ``results`` (``timeout_s`` per report), join them; the reports and the exit codes."""
    procs = [ctx.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    out = [results.get(timeout=timeout_s) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return out, [p.exitcode for p in procs]


def add_pairs(db: str, port: str, vtype: str, prefix: str, n: int, barrier, results, pause_s: float = 0.005) -> None:
    """Record ``n`` arrival/departure pairs of cargo vehicles at ``port`` (one event per
    transaction, ``pause_s`` apart, like a person editing), then race for Rassvet nadir at one
    common instant; report to ``results``.

    Without the pause one writer can starve the other: SQLite's lock is not a fair queue (the
    waiting writer polls with growing sleeps), so the test would not interleave the writers."""
    try:
        _add_pairs(db, port, vtype, prefix, n, barrier, results, pause_s)
    except BaseException as exc:  # report instead of leaving the parent waiting
        results.put((prefix, None, f"error: {exc!r}"))
        raise


def _add_pairs(db, port, vtype, prefix, n, barrier, results, pause_s) -> None:
    from gyrfalcon.traffic.manifest import ManifestRuleError
    from gyrfalcon.traffic.store import ManifestStore

    store = ManifestStore(db)
    base = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    barrier.wait(timeout=60)
    accepted = []
    for i in range(n):
        name = f"{prefix}-{i}"
        t0 = base + dt.timedelta(days=2 * i)
        accepted.append(store.add_event("arrival", t0, name, port=port, vehicle_type=vtype).id)
        time.sleep(pause_s)
        accepted.append(store.add_event("departure", t0 + dt.timedelta(days=1), name).id)
        time.sleep(pause_s)
    barrier.wait(timeout=60)
    try:
        store.add_event("arrival", "2031-01-01T00:00Z", f"{prefix}-race", port="rassvet-nadir",
                        vehicle_type="progress-ms")
        race = "accepted"
    except ManifestRuleError as exc:
        race = f"refused: {exc.rule}"
    store.close()
    results.put((prefix, accepted, race))


def write_forever(db: str) -> None:
    """Add arrival/departure pairs until killed, printing each committed event id."""
    from gyrfalcon.traffic.store import ManifestStore

    store = ManifestStore(db)
    base = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    i = 0
    while True:
        t0 = base + dt.timedelta(hours=2 * i)
        e = store.add_event("arrival", t0, f"P-{i}", port="zvezda-aft", vehicle_type="progress-ms")
        print(e.id, flush=True)
        e = store.add_event("departure", t0 + dt.timedelta(hours=1), f"P-{i}")
        print(e.id, flush=True)
        i += 1


def move_forever(db: str) -> None:
    """Move event 1 by +60 s per transaction, naming the version read, until killed; print
    each committed version."""
    from gyrfalcon.time import add_seconds, iso_utc, parse_utc
    from gyrfalcon.traffic.store import ManifestStore

    store = ManifestStore(db)
    while True:
        e = store.event(1)
        moved = store.move_event(1, iso_utc(add_seconds(parse_utc(e.t_utc), 60.0), places=3), expect_version=e.version)
        print(moved.version, flush=True)


if __name__ == "__main__":
    (move_forever if sys.argv[2:] == ["move"] else write_forever)(sys.argv[1])


def open_and_add(db: str, port: str, name: str, barrier, results) -> None:
    """Open (create and migrate, if first) the manifest at the same moment as another process,
    then record one arrival; report ``"ok"`` or the error."""
    try:
        from gyrfalcon.traffic.store import ManifestStore

        barrier.wait(timeout=60)
        with ManifestStore(db) as store:
            store.add_event("arrival", "2030-01-01", name, port=port, vehicle_type="progress-ms")
        results.put("ok")
    except BaseException as exc:
        results.put(repr(exc))


def move_forward(db: str, event_id: int, n: int, step_s: float, barrier, results) -> None:
    """``n`` times: re-read event ``event_id``, move it ``step_s`` later than what was read,
    naming the version read; a stale version is re-read and tried again (never blindly
    overwritten). Report (moves done, stale refusals seen) or the error."""
    try:
        from gyrfalcon.time import add_seconds, iso_utc, parse_utc
        from gyrfalcon.traffic.store import ManifestStore, StaleVersionError

        done = stale = 0
        with ManifestStore(db) as store:
            barrier.wait(timeout=120)
            while done < n:
                e = store.event(event_id)
                t_new = iso_utc(add_seconds(parse_utc(e.t_utc), step_s), places=3)
                try:
                    store.move_event(event_id, t_new, expect_version=e.version)
                except StaleVersionError:
                    stale += 1
                    continue
                done += 1
        results.put((done, stale))
    except BaseException as exc:
        results.put(repr(exc))
