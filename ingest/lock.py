"""One ingest of an index at a time, across processes and machines: a lock row in the records database.

The holder refreshes a heartbeat while it works. A lock whose heartbeat stopped
(the process was killed, the machine went away) is stale and the next ingest takes
it over; one held by a dead process on this machine is taken over at once.

>>> with hold(records, "ingest:standards"):        # doctest: +SKIP
...     ingest(docs, store)
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from ingest.errors import IngestBusy, RecordsUnavailable
from ingest.records import Lock, Records

log = logging.getLogger("trustdesk")
STALE_AFTER = timedelta(minutes=3)
HEARTBEAT_SECONDS = 15.0
_RELEASED_IN_VAIN: set[str] = set()  # holders in this process whose release failed: no ingest runs under them


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite returns naive UTC


def _dead_here(holder: str) -> bool:
    """The holder is a process on this machine that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class HeldLock:
    """A lock this process holds; `check()` raises if it was taken over (the heartbeat stopped too long)."""

    def __init__(self, records: Records, name: str, holder: str, heartbeat: float):
        self.records, self.name, self.holder = records, name, holder
        self._stop = threading.Event()
        self._lost = False
        self._beat = threading.Thread(target=self._run, args=(heartbeat,), daemon=True, name=f"lock {name}")
        self._beat.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                with self.records.session() as s:
                    moved = s.execute(update(Lock).where(Lock.name == self.name, Lock.holder == self.holder)
                                      .values(heartbeat_at=datetime.now(timezone.utc))).rowcount
                if not moved:
                    self._lost = True
                    return
            except RecordsUnavailable as exc:  # the next beat may get through; check() decides
                log.warning("lock %s: heartbeat failed (%s)", self.name, exc)

    def check(self) -> None:
        if self._lost:
            raise IngestBusy(f"lost the lock {self.name}: another process took it over while this one was "
                             "stalled; nothing was published. Run the ingest again if it is still needed.")

    def release(self) -> None:
        self._stop.set()
        self._beat.join(timeout=5)
        try:
            with self.records.session() as s:
                s.execute(delete(Lock).where(Lock.name == self.name, Lock.holder == self.holder))
        except RecordsUnavailable as exc:
            # a full disk or a database that went away: this process takes the lock over again at once;
            # others when its heartbeat is stale (or, on this machine, when this process has ended)
            _RELEASED_IN_VAIN.add(self.holder)
            log.warning("lock %s not released (%s): it goes stale and is taken over", self.name, exc)

    def __enter__(self) -> "HeldLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def held(records: Records) -> list[Lock]:
    """Every lock held now (for `trustdesk doctor`), oldest first."""
    from sqlalchemy import select

    with records.session() as s:
        return list(s.scalars(select(Lock).order_by(Lock.acquired_at)))


def hold(records: Records, name: str, *, stale_after: timedelta = STALE_AFTER,
         heartbeat: float = HEARTBEAT_SECONDS) -> HeldLock:
    """Take the lock `name` or raise IngestBusy saying who holds it since when."""
    me = holder_id()
    now = datetime.now(timezone.utc)
    try:
        with records.session() as s:
            s.add(Lock(name=name, holder=me, acquired_at=now, heartbeat_at=now))
        return HeldLock(records, name, me, heartbeat)
    except RecordsUnavailable as exc:
        if not isinstance(exc.__cause__, IntegrityError):
            raise
    with records.session() as s:
        row = s.get(Lock, name)
        if row is None:  # released a moment ago
            return hold(records, name, stale_after=stale_after, heartbeat=heartbeat)
        holder, acquired, beat = row.holder, _utc(row.acquired_at), _utc(row.heartbeat_at)
        stale, taken = now - beat > stale_after or _dead_here(holder) or holder in _RELEASED_IN_VAIN, 0
        if stale:
            # compare-and-set: of two processes taking over the same stale lock, one wins
            taken = s.execute(update(Lock).where(Lock.name == name, Lock.holder == holder)
                              .values(holder=me, acquired_at=now, heartbeat_at=now)).rowcount
            if taken:
                log.warning("took over the stale lock %s from %s (last heartbeat %s)", name, holder,
                            beat.isoformat(timespec="seconds"))
    if stale and taken:
        _RELEASED_IN_VAIN.discard(holder)
        return HeldLock(records, name, me, heartbeat)
    what = name.removeprefix("ingest:")
    raise IngestBusy(f"another ingest of {what} is running since {acquired:%Y-%m-%d %H:%M:%S} UTC, by {holder} "
                     f"(last heartbeat {int((now - beat).total_seconds())} s ago): wait for it to finish. The "
                     f"published index keeps serving meanwhile; a holder silent for "
                     f"{int(stale_after.total_seconds() // 60)} min is taken over.")
