"""The exports open in one run: each loads in its own thread into its own Store; close wipes it."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from verify.contract import Contract
from viewer.app.loading import Loaded, load_site
from viewer.app.watch import Signature, follow_file, in_thread, signature
from viewer.errors import ExportViewerError
from viewer.site.model import SiteData
from viewer.store import Store

LOADING, READY, FAILED = "loading", "ready", "failed"
MAX_NAME_BYTES = 200
SCRATCH_WAIT = 5.0  # seconds shutdown waits for downloads being made to clean up
QUIET = 0.1  # seconds without a page request before the background index goes on
YIELD_AT_MOST = 1.0  # seconds a batch of the background index waits for pages, at most


def upload_name(name: str) -> str:
    """Return a plain file name for an upload: the browser's name is any text the page sent."""
    # Last part of a POSIX or Windows path; no control characters; no ".", ".." or dot files.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".").strip()
    # File systems allow 255 bytes a name: cut at a character boundary well below that.
    base = base.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore")
    return base or "export.zip"


class Cancelled(Exception):
    """The server is stopping: abandon a load in progress."""


@dataclass
class Session:
    """One export as the user opened it: where from, how far loaded, and its pages' data."""

    id: str
    name: str
    path: Path
    password: str | None
    uploaded: bool
    state: str = LOADING
    done: int = 0
    total: int = 0
    error: str | None = None
    loaded: Loaded | None = None
    generation: int = 0  # bumped whenever the export is reloaded (file replaced, --dev rebuild)
    notice: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: threading.Event = field(default_factory=threading.Event)
    last_request: float = 0.0  # time.monotonic() of the last page asked for

    @property
    def site(self) -> SiteData:
        """Return the pages' data (only for a ready session)."""
        if self.loaded is None:
            raise LookupError(self.id)
        return self.loaded.site

    @property
    def store(self) -> Store:
        """Return the Store (only for a ready session)."""
        if self.loaded is None:
            raise LookupError(self.id)
        return self.loaded.store


def yield_to_pages(
    session: Session,
    stop: Callable[[], bool],
    *,
    at_most: float = YIELD_AT_MOST,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[], None]:
    """Return a wait for the background index: until no page was asked for in QUIET seconds
    (or `at_most` seconds have passed, so that the index still gets on, or `stop` says so)."""

    def wait() -> None:
        give_up = time.monotonic() + at_most
        while time.monotonic() - session.last_request < QUIET and time.monotonic() < give_up:
            if stop():
                return
            sleep(QUIET / 4)

    return wait


class Sessions:
    """Every open export of this run, and the private folder their uploads live in."""

    def __init__(
        self, contract: Contract, *, guide: bool, watch: bool = True, dev: bool = False
    ) -> None:
        self.contract = contract
        self.guide = guide
        self.watch = watch  # reload a local export when its file is replaced
        self.dev = dev  # --dev: every export is reloaded when the contract changes
        self.stopping = threading.Event()
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._busy = threading.Condition()  # notified when a scratch folder is deleted
        self._scratches = 0
        # mkdtemp creates the folder 0700; uploads (still encrypted) are written 0600 inside,
        # and so are the files made for a download, each in a scratch folder of its export.
        self.folder = Path(tempfile.mkdtemp(prefix="export-viewer-"))

    def __iter__(self) -> Iterator[Session]:
        with self._lock:
            return iter(list(self._sessions.values()))

    def get(self, sid: str) -> Session | None:
        """Return a session by id."""
        with self._lock:
            return self._sessions.get(sid)

    def upload_path(self, name: str) -> Path:
        """Return a new private file path for an uploaded export (in a folder of its own)."""
        folder = Path(tempfile.mkdtemp(dir=self.folder))
        return folder / upload_name(name)

    def _scratch_root(self, session: Session) -> Path:
        return self.folder / f"scratch-{session.id}"

    @contextmanager
    def scratch(self, session: Session) -> Iterator[Path]:
        """Lend a new private folder for files made from an export; delete it afterwards."""
        root = self._scratch_root(session)
        root.mkdir(mode=0o700, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=root))
        with self._busy:
            self._scratches += 1
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if session.closed.is_set():  # closed meanwhile: its root goes too
                shutil.rmtree(root, ignore_errors=True)
            with self._busy:
                self._scratches -= 1
                self._busy.notify_all()

    def open(self, path: Path, password: str | None, *, uploaded: bool = False) -> Session:
        """Start loading an export in the background and return its session."""
        session = Session(secrets.token_hex(4), path.name, path, password, uploaded)
        with self._lock:
            self._sessions[session.id] = session
        self._start(session)
        return session

    def fail(self, path: Path, message: str) -> str:
        """Record an export that could not even start loading, so the form can say why."""
        session = Session(secrets.token_hex(4), path.name, path, None, False, FAILED, error=message)
        with self._lock:
            self._sessions[session.id] = session
        return session.id

    def retry(self, session: Session, password: str | None) -> None:
        """Load a failed session again, with another password."""
        session.password, session.state, session.error = password, LOADING, None
        session.done = session.total = 0
        self._start(session)

    def reload(self, session: Session, notice: str | None = None) -> None:
        """Load a session's file again; the old pages stay served until the new load is ready."""
        self._start(session, notice=notice)

    def _start(self, session: Session, notice: str | None = None) -> None:
        thread = threading.Thread(
            target=self._load, args=(session, notice), name=f"load-{session.id}", daemon=True
        )
        thread.start()

    def _progress(self, session: Session) -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            # Closed or stopping: abandon the load, whose Store the loader then closes.
            if self.stopping.is_set() or session.closed.is_set():
                raise Cancelled
            session.done, session.total = done, total

        return update

    def _reloadable(self, session: Session) -> bool:
        """Return whether the session may be loaded again from its file (and needs its password)."""
        return self.dev or (self.watch and not session.uploaded)

    def _load(self, session: Session, notice: str | None) -> None:
        seen = signature(session.path)  # before reading: a change made meanwhile is caught later
        try:
            loaded = load_site(
                session.path,
                session.password,
                self.contract,
                guide=self.guide,
                progress=self._progress(session),
            )
        except Cancelled:
            return
        except ExportViewerError as exc:
            self._fail(session, str(exc))
            return
        except Exception as exc:  # a thread must report, never die silently
            self._fail(session, f"internal error: {type(exc).__name__}: {exc}")
            return
        self._swap(session, loaded, notice, seen)
        self._index(session, loaded)

    def _index(self, session: Session, loaded: Loaded) -> None:
        """Build the full-text index while the pages are served (a search meanwhile waits).

        Pages come first: while they are being asked for, each batch waits a moment (at most
        YIELD_AT_MOST), so that the index takes the CPU the pages leave.
        """

        def stop() -> bool:
            return self.stopping.is_set() or session.closed.is_set() or session.loaded is not loaded

        try:
            loaded.store.index_text(stop, yield_to_pages(session, stop))
        except sqlite3.ProgrammingError:  # the Store was closed between two batches
            return

    def _fail(self, session: Session, message: str) -> None:
        with session.lock:
            if session.loaded is None:
                session.state, session.error = FAILED, message
                session.password = None  # a retry brings its own
            else:  # a reload failed: keep showing the last good load, and say why
                session.notice = message
                session.generation += 1

    def _swap(
        self, session: Session, loaded: Loaded, notice: str | None, seen: Signature | None
    ) -> None:
        with session.lock:
            if session.closed.is_set():  # closed after the last progress: nothing to show
                loaded.store.close()
                return
            old, session.loaded = session.loaded, loaded
            session.state, session.error = READY, None
            if old is not None:
                session.notice = notice
                session.generation += 1
            if not self._reloadable(session):
                session.password = None
        if old is not None:
            old.store.close()
        elif self.watch and not session.uploaded:
            self._follow(session, seen)

    def _follow(self, session: Session, seen: Signature | None) -> None:
        """Reload a local export whenever its file is replaced, until it is closed."""
        notice = f"{session.name} changed on disk and has been reloaded."
        in_thread(
            follow_file,
            session.path,
            session.closed,
            lambda: self.reload(session, notice),
            seen,
            name=f"watch-{session.id}",
        )

    def close(self, sid: str) -> bool:
        """Close an export: its Store is wiped from memory and its upload deleted."""
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is None:
            return False
        session.closed.set()  # ends its load (at the next progress step) and its watcher
        with session.lock:
            loaded, session.loaded = session.loaded, None
            session.password = None
        if loaded is not None:
            loaded.store.close()
        if session.uploaded:
            shutil.rmtree(session.path.parent, ignore_errors=True)
        shutil.rmtree(self._scratch_root(session), ignore_errors=True)
        return True

    def reload_all(self, contract: Contract, notice: str | None = None) -> None:
        """Use a new contract and reload every ready export (the --dev rebuild)."""
        self.contract = contract
        for session in self:
            if session.state == READY:
                self.reload(session, notice)

    def shutdown(self) -> None:
        """Stop loads, close every export and delete the private folder."""
        self.stopping.set()
        for session in self:
            self.close(session.id)
        # A download being made fails at its next read of the closed Store; wait (bounded) for
        # it to delete its files, so that none are written after the folder is gone.
        with self._busy:
            self._busy.wait_for(lambda: self._scratches == 0, timeout=SCRATCH_WAIT)
        shutil.rmtree(self.folder, ignore_errors=True)
