"""Output folders and files the tool owns: refuse what it did not create, write atomically.

Rules (the same for ``gyrfalcon run`` and ``gyrfalcon montecarlo``, and for the web's runs):

* A folder output is *ours* when it holds :data:`OWNER_FILE` (written first, when the tool
  creates the folder) or :data:`COMPLETE_FILE` (written last, when every other file is in
  place). An existing folder that is neither ours nor empty is refused, never written into,
  replaced or deleted; so is a symbolic link, and a path that is a file.
* Files are written under a temporary name in the same folder and renamed into place
  (:func:`atomic_path`), so a reader sees the old file or the new one, never half of one.
* Two writers of the same output are kept apart by advisory locks (:class:`OutputLock`,
  ``fcntl.flock`` on the folders themselves, no lock files: released by the kernel when the
  process dies, even by ``kill -9``). A second ``gyrfalcon run`` into a folder that a live run
  is writing is refused; a second ``montecarlo`` into a live campaign folder too.
* A ``gyrfalcon run`` builds its folder as a hidden sibling ``.NAME.partial-*`` (locked while
  it is written) and renames it into place; a killed run leaves only such siblings (marked as
  ours, no longer locked), which the next run into the same ``NAME`` removes
  (:func:`clean_stale_siblings`).

Assumptions: a POSIX file system where ``rename`` within a folder is atomic (local disks, NFS
v4); Linux or macOS (``fcntl``). On a full disk a write fails with ``OSError`` before the rename,
so nothing incomplete is left under a final name.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError

OWNER_FILE = ".gyrfalcon-output"
"""Written first into every folder the tool creates: the folder is ours (may be replaced or resumed)."""
COMPLETE_FILE = "COMPLETE"
"""Written last: every other file of the folder is in place."""
PARTIAL_TAG = ".partial-"
OLD_TAG = ".old-"


class OutputError(InputError):
    """An output path the tool will not write (not ours, a link, not writable, locked by another run)."""


def _describe(p: Path) -> str:
    return str(p)


MARKER_TEXT = "gyrfalcon"
"""Every marker the tool writes (:data:`OWNER_FILE`, :data:`COMPLETE_FILE`) starts with this word:
a file of that name with other text (a user's own ``COMPLETE``) does not make a folder ours."""


def _marker(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and _first_line(path).startswith(MARKER_TEXT)


def is_ours(folder: Path) -> bool:
    """True when ``folder`` holds the tool's owner marker or completion marker (written by the tool:
    its first line starts with :data:`MARKER_TEXT`)."""
    return _marker(folder / OWNER_FILE) or _marker(folder / COMPLETE_FILE)


def is_complete(folder: Path) -> bool:
    return _marker(folder / COMPLETE_FILE)


RUN_OWNER_TEXT = "gyrfalcon run output"
"""First line of :data:`OWNER_FILE` in a run's folder; the lines after it name the files the run wrote."""
_RUN_NAME = re.compile(r"^(timeline\.json|scenario\.toml|chaser\.oem|station\.oem|report\.html|flight\.czml|"
                       r"[a-z]+-ephemeris\.[\w.]+)$")
"""The files a run writes (for a run folder whose owner file lists none: written before the list)."""


def _first_line(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip()
    except OSError:
        return ""


def is_campaign(folder: Path) -> bool:
    """True when ``folder`` is a ``gyrfalcon montecarlo`` campaign's (finished or not)."""
    return any(_first_line(folder / f).startswith("gyrfalcon montecarlo") for f in (OWNER_FILE, COMPLETE_FILE))


def foreign_entries(folder: Path) -> list:
    """The names in an existing folder that no ``gyrfalcon run`` wrote there: those its owner file
    does not list (a run folder written before the list: those not named as a run names its files),
    and everything in a folder that only bears a marker someone else put there."""
    lines = []
    try:
        lines = (folder / OWNER_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        pass
    listed = set(lines[1:]) if lines and lines[0].strip() == RUN_OWNER_TEXT else None
    out = []
    for e in sorted(folder.iterdir(), key=lambda x: x.name):
        if e.name in (OWNER_FILE, COMPLETE_FILE):
            continue
        mine = (e.name in listed) if listed is not None else bool(_RUN_NAME.match(e.name))
        if not mine or e.is_symlink() or (e.is_dir() and listed is None):
            out.append(e.name)
    return out


def check_run_folder(p: Path, what: str = "--out") -> None:
    """A run replaces its whole folder: refuse one holding a campaign or files no run wrote."""
    if not p.is_dir() or p.is_symlink() or not any(p.iterdir()):
        return
    if is_campaign(p):
        raise OutputError(f"{what} {_describe(p)} holds a 'gyrfalcon montecarlo' campaign, not a run; a run replaces "
                          "its whole folder: give another folder")
    foreign = foreign_entries(p)
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise OutputError(f"{what} {_describe(p)} holds files gyrfalcon did not write ({', '.join(foreign[:3])}{more}); a "
                          "run replaces its whole folder, so nothing is replaced: move them out or give another folder")


def check_output_folder(path, what: str = "--out", kind: str | None = None) -> Path:
    """Refuse an output folder the tool may not write; returns the path. Cheap: call before heavy work.

    Allowed: a missing path whose nearest existing parent is a writable folder, an empty folder,
    or a folder that is ours. Refused: an empty path, a symbolic link, a file, a foreign non-empty
    folder, a folder (or parent) that is not writable; with ``kind="run"`` (a run replaces its
    folder) also a mount point, a campaign's folder and one holding files no run wrote
    (:func:`check_run_folder`); with
    ``kind="campaign"`` a finished run's folder."""
    if str(path).strip() == "":
        raise OutputError(f"{what} is empty; give a folder path")
    p = Path(path)
    if p.is_symlink():
        raise OutputError(f"{what} {_describe(p)} is a symbolic link; give the real folder path (gyrfalcon does not "
                          "write through links)")
    if kind == "run" and p.is_dir() and os.path.ismount(p):
        raise OutputError(f"{what} {_describe(p)} is a mount point; a run replaces its whole folder, which a mount "
                          f"point cannot be: give a new folder inside it (e.g. {p / 'run'})")
    if p.exists():
        if not p.is_dir():
            raise OutputError(f"{what} {_describe(p)} is an existing file, not a folder; give a new folder path")
        if not is_ours(p) and any(p.iterdir()):
            raise OutputError(f"{what} {_describe(p)} is a folder gyrfalcon did not create (no {COMPLETE_FILE} or "
                              f"{OWNER_FILE} marker of gyrfalcon's in it) and it is not empty; give a new or empty folder")
        if not os.access(p, os.W_OK | os.X_OK):
            raise OutputError(f"{what} {_describe(p)} is not writable; give a folder you can write to")
        if kind == "run":
            check_run_folder(p, what)
        if kind == "campaign" and is_complete(p) and not is_campaign(p):
            raise OutputError(f"{what} {_describe(p)} holds a finished 'gyrfalcon run', not a campaign; give another "
                              f"{what}")
    check_no_live_writer(p)
    parent = p.parent if p.parent != Path("") else Path(".")
    anc = parent
    while not anc.exists():
        if anc.is_symlink():
            raise OutputError(f"{what}: {anc} is a broken symbolic link; give a real folder path")
        anc = anc.parent
    if not anc.is_dir():
        raise OutputError(f"{what} {_describe(p)}: {anc} is a file, not a folder; give a path inside a folder")
    if not os.access(anc, os.W_OK | os.X_OK) or not _can_create_in(anc):
        raise OutputError(f"{what} {_describe(p)}: cannot create it, {anc} is not writable; give a folder you can "
                          "write to")
    return p


def _can_create_in(folder: Path) -> bool:
    """Whether a file can really be created in ``folder`` (``os.access`` says yes for root, and for
    pseudo file systems such as /proc that refuse it): a hidden probe file made and removed."""
    try:
        fd, name = tempfile.mkstemp(prefix=".gyrfalcon-probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return True


def check_output_file(path, overwrite: bool = False, what: str = "output", inputs=()) -> Path:
    """Refuse an output file the tool may not write (an empty name, exists without ``overwrite``,
    a folder, a link, a read-only file, one of the command's own ``inputs``, a missing or
    read-only parent folder); returns the path."""
    if not str(path).strip():
        raise OutputError(f"{what} is empty; give a file path")
    p = Path(path)
    for given in inputs:
        if given is not None and _same_file(p, Path(given)):
            raise OutputError(f"{what} {_describe(p)} is the file this command reads ({given}); give another path")
    if str(path).endswith(("/", os.sep)) or (p.exists() and p.is_dir()):
        raise OutputError(f"{what} {_describe(p)} is a folder; give a file path")
    if p.is_symlink():
        raise OutputError(f"{what} {_describe(p)} is a symbolic link; give the real file path")
    if p.exists() and not overwrite:
        raise OutputError(f"{what} {_describe(p)} exists; give another path or --overwrite to replace it")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"{what} {_describe(p)} is read-only (its permissions protect it); give another path, "
                          "or make it writable first")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{what} {_describe(p)}: folder {parent} does not exist; create it or give another path")
    if not os.access(parent, os.W_OK | os.X_OK) or not _can_create_in(parent):
        raise OutputError(f"{what} {_describe(p)}: folder {parent} is not writable; give a folder you can write to")
    return p


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (an existing one: by inode; else by resolved path)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` (same suffixes); on success rename it onto ``path``.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` is left as it was."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.tmp-", dir=p.parent if str(p.parent) else ".")
    os.close(fd)
    # keep the suffixes: writers choose their format from them (.xml, .gz, .png ...)
    tmp_path = Path(tmp + "".join(p.suffixes) if p.suffixes else tmp)
    if tmp_path != Path(tmp):
        os.replace(tmp, tmp_path)
    try:
        yield tmp_path
        try:
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
        except OSError:
            pass
        mode = 0o666 & ~_umask()
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, p)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


def atomic_write_bytes(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)


def _umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


class OutputLock:
    """An exclusive, non-blocking advisory lock (``fcntl.flock``) on a folder itself (no lock file).

    Entering raises :class:`OutputError` when another process holds it. The kernel releases it
    when the holder exits or is killed (``kill -9`` included), so a lock never outlives its run."""

    def __init__(self, folder, target=None, blocking: bool = False):
        self.folder = Path(folder)
        self.target = Path(target) if target is not None else self.folder
        self.blocking = blocking
        self._fd = None

    def __enter__(self):
        import fcntl

        if self._fd is not None:          # already held (new_partial_folder enters it)
            return self
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.blocking else fcntl.LOCK_NB))
        except OSError:
            os.close(fd)
            raise OutputError(f"another gyrfalcon process is writing {self.target}; wait for it to finish or "
                              "give another output path") from None
        self._fd = fd
        return self

    def __exit__(self, *exc):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        return False


def _locked_by_other(folder: Path) -> bool:
    """True when a live process holds the flock of ``folder``."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)          # closing releases our own probe lock
    return False


def live_writers(out: Path) -> list:
    """Partial folders of ``out`` that a live ``gyrfalcon run`` is writing (it holds their lock)."""
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return []
    return [d for d in sorted(parent.glob(f".{out.name}{PARTIAL_TAG}*"))
            if d.is_dir() and not d.is_symlink() and _marker(d / OWNER_FILE) and _locked_by_other(d)]


def check_no_live_writer(out: Path, mine=None) -> None:
    """Refuse when another live process is writing the folder output ``out``."""
    others = [d for d in live_writers(Path(out)) if mine is None or d != mine]
    if others:
        raise OutputError(f"another gyrfalcon run is writing {out} (its work folder {others[0].name}); wait for it "
                          "to finish or give another --out")


def clean_stale_siblings(out: Path) -> list:
    """Remove what killed runs into ``out`` left beside it (call under :func:`parent_lock`).

    ``.NAME.partial-*`` folders holding :data:`OWNER_FILE` whose writer is dead (no lock) are
    deleted, and empty ones (a run killed between :func:`new_partial_folder`'s ``mkdtemp`` and its
    marker; both steps run under :func:`parent_lock`, so no live run is caught between them); a ``.NAME.old-*`` folder (a finished run moved aside while its replacement was renamed
    in) is put back when ``out`` is missing, else deleted. Anything without our marker is left
    alone. Returns the removed paths."""
    removed = []
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return removed
    for d in sorted(parent.glob(f".{out.name}{OLD_TAG}*")):
        if d.is_dir() and not d.is_symlink() and is_ours(d):
            if not out.exists() and is_complete(d):
                os.replace(d, out)
            else:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
    for d in sorted(parent.glob(f".{out.name}{PARTIAL_TAG}*")):
        if not d.is_dir() or d.is_symlink() or _locked_by_other(d):
            continue
        if _marker(d / OWNER_FILE):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        elif _marker_being_written(d):   # killed between its creation and its marker (under the parent
            shutil.rmtree(d, ignore_errors=True)   # lock): empty, or the marker file opened but not yet
            removed.append(d)                      # written; nothing is lost
    return removed


def _marker_being_written(folder: Path) -> bool:
    """``folder`` is empty, or holds only an empty :data:`OWNER_FILE` (a run killed while
    :func:`new_partial_folder` wrote it); anything else is not ours to judge."""
    names = [p.name for p in folder.iterdir()]
    return names == [] or (names == [OWNER_FILE] and (folder / OWNER_FILE).stat().st_size == 0)


def parent_lock(out: Path) -> OutputLock:
    """A short, blocking lock on the folder that holds ``out`` (cleanup and the final rename)."""
    parent = out.parent if str(out.parent) else Path(".")
    return OutputLock(parent, out, blocking=True)


def new_partial_folder(out: Path):
    """A fresh hidden sibling folder of ``out``, marked as ours and locked by this process:
    returns ``(path, lock)``; close the lock (``lock.__exit__()``) when done with the folder."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{PARTIAL_TAG}", dir=out.parent))
    lock = OutputLock(tmp, out).__enter__()
    os.chmod(tmp, 0o777 & ~_umask())
    (tmp / OWNER_FILE).write_text(f"gyrfalcon output (pid {os.getpid()})\n", encoding="utf-8")
    return tmp, lock


def install_folder(tmp: Path, out: Path) -> None:
    """Rename the finished folder ``tmp`` onto ``out`` (replacing an empty folder or one of ours).

    The folder replaced keeps its permission bits (a folder made group-writable, or setgid, for a
    shared project stays so); its owner is the process's, as for any folder it creates. A previous
    folder of ours is first moved aside to ``.NAME.old-*`` and deleted after the rename; if the
    process dies in between, :func:`clean_stale_siblings` puts it back."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out} became a link or a file while the run was flying; nothing was replaced, the "
                          f"outputs are in {tmp}")
    if out.exists():
        if not is_ours(out) and any(out.iterdir()):
            raise OutputError(f"{out} was filled by someone else while the run was flying; nothing was replaced, "
                              f"the outputs are in {tmp}")
        shutil.copymode(out, tmp)
        if not any(out.iterdir()):
            out.rmdir()
            os.replace(tmp, out)
            return
        try:
            check_run_folder(out, "the output folder")
        except OutputError as exc:
            raise OutputError(f"{exc} (changed while the run was flying; the outputs are in {tmp})") from None
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}{OLD_TAG}", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


# ---------------------------------------------------------------------------------------------
# the scenario as flown: its station files copied beside it
# ---------------------------------------------------------------------------------------------
UPLOAD_DIR = ".station-uploads"
"""Folder (under the web server's output folder) of station data uploaded for one run."""


def copy_station_files(scenario, scenario_text: str, source: str, folder) -> tuple:
    """``(text, names, origins)``: ``scenario_text`` with every ``target.ephemeris`` /
    ``return.ephemeris`` that names a file (the ones the flight actually used, e.g. given by
    ``--station-oem``/``--station-tle`` or uploaded) set to a copy of that file written into
    ``folder`` (``target-ephemeris.<ext>``, referenced relatively), so that the saved scenario
    reproduces the flight and ``gyrfalcon scenario check`` accepts it; ``names``: the copies
    written; ``origins``: what each copy came from (an upload is named as such, never by its
    server path). ``source``: the scenario file's path (relative paths are resolved against it).
    A text whose tables cannot be edited line by line keeps the original value, with a comment."""
    import shutil as _sh

    from .scenario import EMBEDDED, resolve_path

    folder = Path(folder)
    names, origins, notes = [], [], []
    for table, attr in (("target", "target"), ("return", "return_")):
        value = getattr(getattr(scenario, attr, None), "ephemeris", EMBEDDED)
        if value == EMBEDDED or not isinstance(value, str):
            continue
        src = resolve_path(source, value)
        if not src.is_file():
            continue
        suffix = "".join(s for s in src.suffixes[-2:] if s[1:].isalnum() and len(s) <= 6)
        name = f"{table}-ephemeris{suffix}"
        _sh.copyfile(src, folder / name)
        new = set_table_key(scenario_text, table, "ephemeris", name)
        origin = (f"{'station_oem' if src.suffix == '.oem' else 'station_tle'} (uploaded)"
                  if src.parent.name == UPLOAD_DIR else str(src))
        if new is None:
            notes.append(f"# {table}.ephemeris of this flight: {origin} (copied as {name})\n")
        else:
            scenario_text = new
        names.append(name)
        origins.append(f"{table}.ephemeris = {name!r}: a copy of {origin}")
    return "".join(notes) + scenario_text, tuple(names), tuple(origins)


def set_table_key(text: str, table, key: str, value):
    """TOML ``text`` with ``[table] key`` set to ``value`` (a string, bool, int or float; the line
    replaced or added, the rest of the text unchanged), or None when the result would not read back
    with that value (e.g. the table is written as an inline table). ``table`` None: a top-level
    key (replaced, or added before the first table)."""
    import json
    import re
    import tomllib

    line = f"{key} = {json.dumps(value)}"
    out, done = [], False
    in_table = table is None            # the top level runs to the first table header
    lines = text.splitlines()
    for ln in lines:
        head = re.match(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(#.*)?$", ln)
        if head:
            if in_table and not done:
                blanks = 0
                while out and not out[-1].strip():   # before the blank lines that end the table
                    out.pop()
                    blanks += 1
                out.append(line)
                out += [""] * blanks
                done = True
            in_table = table is not None and not ln.lstrip().startswith("[[") and head.group(1).strip() == table
            out.append(ln)
            continue
        if in_table and re.match(rf"^\s*{re.escape(key)}\s*=", ln):
            out.append(line)
            done = True
            continue
        out.append(ln)
    if in_table and not done:
        out.append(line)
        done = True
    if not done:
        out += ["", f"[{table}]", line]
    new = "\n".join(out) + "\n"
    try:
        data = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        return None
    sec = data if table is None else data.get(table)
    got = sec.get(key) if isinstance(sec, dict) else None
    return new if got == value and type(got) is type(value) else None


def record_overrides(scenario, scenario_text: str) -> tuple:
    """``(text, notes)``: ``scenario_text`` with the values of ``scenario`` that a command line or a
    form may have changed after it was read (``seed`` from ``--seed``, ``what_if`` from
    ``--what-if``, ``return.enabled`` from ``--no-return``) written into it where they differ, so
    that the saved scenario flies the same flight; ``notes``: one comment line per change. A text
    that cannot be edited line by line gets the value as a comment (and the change is said)."""
    import tomllib

    try:
        data = tomllib.loads(scenario_text)
    except tomllib.TOMLDecodeError:
        data = {}
    ret = data.get("return") if isinstance(data.get("return"), dict) else {}
    notes = []
    seed = getattr(scenario, "seed", None)
    what_if = getattr(scenario, "what_if", None)
    enabled = getattr(getattr(scenario, "return_", None), "enabled", None)
    for table, key, flown, written, opt in (
            (None, "seed", None if seed is None else int(seed), data.get("seed", 0), "--seed"),
            (None, "what_if", None if what_if is None else bool(what_if), data.get("what_if", False), "--what-if"),
            ("return", "enabled", None if enabled is None else bool(enabled), ret.get("enabled", True),
             "--no-return")):
        if flown is None or (written == flown and type(written) is type(flown)):
            continue
        name = key if table is None else f"{table}.{key}"
        new = set_table_key(scenario_text, table, key, flown)
        if new is None:
            notes.append(f"# {name} of this flight: {str(flown).lower()} (given by {opt}; not written below)\n")
        else:
            scenario_text = new
            notes.append(f"# {name} = {str(flown).lower()}: given by {opt}\n")
    return scenario_text, tuple(notes)
