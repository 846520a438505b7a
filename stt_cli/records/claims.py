"""Claims: how any number of ``stt transcribe`` processes, on one machine or many sharing a file system, agree
on who transcribes which recording, so that none is done twice and none is lost.

Before a worker starts a recording it creates ``.<stem>.stt.claim`` beside the recording's outputs with an
exclusive create (``O_CREAT | O_EXCL``: atomic on local file systems and on NFS v3 and later). The claim names
the host, the process and the time. While the worker works, a thread renews the claim's modification time every
quarter of ``timeout``; a claim not renewed for ``timeout`` seconds belongs to a worker that died (killed, node
lost, network cut) and is *stale*. Another worker takes a stale claim over by renaming it to a name of its own
(only one rename of the same file can succeed) and then creating its own claim. The owner checks, when it
renews and once more before it writes anything, that the claim is still its own; a worker that lost its claim
(it was frozen for longer than ``timeout``) drops its work rather than write beside the new owner.

The claim is removed when the worker is done with the recording, whether it succeeded or failed, and on
Ctrl-C or SIGTERM. Clocks: staleness is judged by the claim's modification time against the judging machine's
clock, so the machines' clocks must agree to well within ``timeout`` (NTP does this; the default timeout is
ten minutes).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_TIMEOUT = 600.0  # s without renewal after which a claim is stale
_RENEWALS = 4  # renewals per timeout: a worker must miss three in a row before its claim looks stale
_WAIT = 2.0  # s between looks at a claim of a worker making something else of the recording


@dataclass(frozen=True)
class ClaimInfo:
    """What a claim file says, and how old its last renewal is.

    Attributes:
        host: the worker's host name.
        pid: its process id there.
        since: ISO 8601 UTC time the claim was taken.
        token: the claim's own id (a claim taken over has another).
        age: seconds since it was last renewed, by this machine's clock.
        job: what its worker was asked to make of the recording (a digest of the formats and settings), so
            that a run asking for something else knows the worker will not make it; ``""`` when not said.
    """

    host: str
    pid: int
    since: str
    token: str
    age: float
    job: str = ""

    def stale(self, timeout: float) -> bool:
        return self.age > timeout

    def dead(self) -> bool:
        """A claim of a process on this very host that no longer runs (killed, crashed): stale at once."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # another user's process: alive
            return False
        return False

    @property
    def owner(self) -> str:
        return f"{self.host}:{self.pid}"


def read_claim(path: Path) -> ClaimInfo | None:
    """The claim at ``path``; ``None`` when there is none. A claim being written, or damaged, reads as a claim
    of unknown owner, so that it is judged by its age like any other."""
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ClaimInfo(str(data["host"]), int(data["pid"]), str(data["since"]), str(data["token"]), age,
                         str(data.get("job", "")))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return ClaimInfo("?", 0, "", "", age)


class Claim:
    """A claim this process holds: renewed on a thread until :meth:`release`."""

    def __init__(self, path: Path, token: str, timeout: float) -> None:
        self.path, self.token, self.timeout = path, token, timeout
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="stt-claim", daemon=True)
        self._thread.start()

    def still_ours(self) -> bool:
        """Whether the claim file is still this one (not taken over by another worker)."""
        found = read_claim(self.path)
        if found is None or found.token != self.token:
            self.lost.set()
        return not self.lost.is_set()

    def release(self) -> None:
        """Stop renewing and remove the claim, if it is still ours."""
        self._done.set()
        self._thread.join()
        if self.still_ours():
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _renew(self) -> None:
        while not self._done.wait(self.timeout / _RENEWALS):
            if not self.still_ours():
                return
            with contextlib.suppress(OSError):
                os.utime(self.path)


def try_claim(path: Path, *, timeout: float = DEFAULT_TIMEOUT, job: str = "") -> Claim | ClaimInfo:
    """Take the claim file ``path`` (a recording's ``Sidecars.claim``) for ``job``: the :class:`Claim`, or the
    live claim of the worker that holds it. A stale claim is taken over.

    Raises:
        OSError: the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # a claim released or taken over between two looks: look again
        token = uuid.uuid4().hex
        if _create(path, token, job):
            return Claim(path, token, timeout)
        held = read_claim(path)
        if held is None:
            continue
        if not held.stale(timeout) and not held.dead():
            return held
        _take_over(path, timeout)
    held = read_claim(path)
    return held if held is not None else ClaimInfo("?", 0, "", "", 0.0)


def _create(path: Path, token: str, job: str) -> bool:
    body = {"host": socket.gethostname(), "pid": os.getpid(), "token": token,
            "since": datetime.now(UTC).isoformat(timespec="seconds"), "job": job}  # fmt: skip
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)
    return True


def _take_over(path: Path, timeout: float) -> None:
    """Move a stale claim out of the way; of several workers trying at once, one rename succeeds.

    A worker that renames a claim another worker has just taken over (both saw the same stale claim) finds it
    fresh once it holds it, and links it back: ``link`` never replaces a file, so a third claim is not lost.
    """
    aside = path.with_name(f"{path.name}.stale-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(path, aside)
    except OSError:
        return
    moved = read_claim(aside)
    if moved is not None and not moved.stale(timeout) and not moved.dead():
        with contextlib.suppress(OSError):
            os.link(aside, path)
    with contextlib.suppress(OSError):
        aside.unlink()


def claim_for(path: Path, *, timeout: float, job: str, on_wait: Callable[[ClaimInfo], None]) -> Claim | ClaimInfo:
    """:func:`try_claim`, waiting while the recording is claimed by a worker making something else of it (a
    clerk's ``-f json`` while a batch makes ``-f txt``): that worker will not write what this one was asked for,
    so leaving the file to it would end this run with nothing written. A worker of the same job (``--jobs``,
    shards) is left the file, as before. The wait ends when the other worker releases the claim, or when its
    claim goes stale and is taken over; ``on_wait`` is told each time this worker looks again.

    Raises:
        OSError: the folder cannot be written.
    """
    while True:
        held = try_claim(path, timeout=timeout, job=job)
        if isinstance(held, Claim) or not held.job or held.job == job:
            return held
        on_wait(held)
        time.sleep(min(_WAIT, timeout / _RENEWALS))


@contextlib.contextmanager
def holding(claim: Claim) -> Iterator[Claim]:
    """Release ``claim`` however the block ends (an error, Ctrl-C, SIGTERM turned into KeyboardInterrupt)."""
    try:
        yield claim
    finally:
        claim.release()
