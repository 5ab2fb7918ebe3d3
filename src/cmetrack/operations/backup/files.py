"""The files directory (settings.MEDIA_ROOT): read whole by a backup, replaced whole by a restore.

The backup reads the directory itself, not Django's storage API: a backup is a copy of what is
on the disk, rows or no rows (a file that no letter or attachment refers to is still copied),
and the tests, whose default storage is in memory, point MEDIA_ROOT at a temporary folder.

A restore builds the new directory beside the old one (same filesystem, so the swap is two
renames) and swaps it in only once every file has been written and checked; if the database
then fails to restore, the old directory is swapped back. Symbolic links are never followed:
cmetrack never makes one there, so a backup that meets one stops and names it, and a restore
only ever creates plain folders and files inside its new directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from django.conf import settings

from .contents import Source, path_parts
from .errors import BackupDamaged, BackupError


def files_root() -> Path:
    """The real directory: if MEDIA_ROOT is a link to it, the directory is what is replaced."""
    return Path(settings.MEDIA_ROOT).resolve()


def _open_for_reading(path: Path) -> BinaryIO:
    # O_NOFOLLOW: a file swapped for a link after it was listed is refused, not followed.
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


def _refuse(path: Path, what: str) -> BackupError:
    return BackupError(
        f"Cannot back up the files directory: {path} is {what}. cmetrack only ever stores plain "
        "files and folders there; move it out of the directory, then run the backup again."
    )


def _walk(folder: Path, parts: tuple[str, ...]) -> Iterator[Source]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda found: found.name)
    except FileNotFoundError:
        if parts:
            return  # a folder removed while the backup ran: nothing left in it to copy
        raise
    for found in entries:
        path = Path(found.path)
        try:
            found.name.encode("utf-8")
        except UnicodeEncodeError:
            raise _refuse(path, "a name that is not UTF-8") from None
        here = (*parts, found.name)
        if found.is_symlink():
            raise _refuse(path, "a symbolic link")
        if found.is_dir(follow_symlinks=False):
            yield from _walk(path, here)
        elif found.is_file(follow_symlinks=False):
            name = "/".join(here)
            path_parts(name)
            yield Source(path=name, open=partial(_open_for_reading, path))
        else:
            raise _refuse(path, "neither a file nor a folder (a socket, pipe or device)")


def file_sources(root: Path) -> Iterator[Source]:
    """Every file under root, in path order, opened only when the backup reaches it."""
    if not root.exists():
        return  # nothing stored yet (a new installation): a backup with no files
    if not root.is_dir():
        raise BackupError(f"The files directory {root} (CMETRACK_FILES_DIR) is not a folder.")
    yield from _walk(root, ())


class Staging:
    """A new files directory, filled beside the live one and swapped in whole.

    Use as a context manager: leaving it without swap_in() removes the new directory; an error
    after swap_in() swaps the old one back; leaving it normally after swap_in() removes the old.
    """

    def __init__(self, root: Path):
        if root.exists() and not root.is_dir():
            raise BackupError(f"The files directory {root} (CMETRACK_FILES_DIR) is not a folder.")
        self.root = root
        self._path: Path | None = None  # made when first needed: a format-1 restore never is
        self.old: Path | None = None
        self.swapped = False
        self.left_behind: Path | None = None  # a folder that could not be removed afterwards

    def __enter__(self) -> Staging:
        return self

    @property
    def path(self) -> Path:
        if self._path is None:
            self.root.parent.mkdir(parents=True, exist_ok=True)
            prefix = f".{self.root.name}.restoring-"
            self._path = Path(tempfile.mkdtemp(dir=self.root.parent, prefix=prefix))
        return self._path

    def open(self, parts: tuple[str, ...]) -> BinaryIO:
        """A new file at parts inside the new directory; never outside it, never twice."""
        folder = self.path
        try:
            for part in parts[:-1]:
                folder = folder / part
                if not folder.is_dir() or folder.is_symlink():
                    folder.mkdir(mode=0o700)
            target = folder / parts[-1]
            # path_parts() already refused "..", absolute and empty parts; this is the backstop.
            if not target.resolve().is_relative_to(self.path.resolve()):
                raise BackupDamaged(
                    f"The backup names a file outside the files directory: {target}"
                )
            handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except (FileExistsError, IsADirectoryError, NotADirectoryError) as error:
            raise BackupDamaged(
                f"The backup holds {'/'.join(parts)!r} both as a file and as a folder, or twice: "
                "it was not made by cmetrack. Nothing was restored."
            ) from error
        return os.fdopen(handle, "wb")

    def _match_the_old_directory(self) -> None:
        # The new directory gets the old one's permissions and, when root runs the restore,
        # its owner: the service must still be able to read and write its files.
        try:
            old = os.stat(self.root)
        except FileNotFoundError:
            return
        os.chmod(self.path, stat.S_IMODE(old.st_mode))
        if os.geteuid() != 0:
            return
        for folder, dirs, files in os.walk(self.path):
            os.lchown(folder, old.st_uid, old.st_gid)
            for name in dirs + files:
                os.lchown(os.path.join(folder, name), old.st_uid, old.st_gid)

    def swap_in(self) -> None:
        self._match_the_old_directory()
        if os.path.lexists(self.root):
            old = self.root.parent / f".{self.root.name}.replaced-{secrets.token_hex(4)}"
            os.rename(self.root, old)
            try:
                os.rename(self.path, self.root)
            except BaseException:
                os.rename(old, self.root)
                raise
            self.old = old
        else:
            os.rename(self.path, self.root)
        self.swapped = True

    def _swap_back(self) -> None:
        os.rename(self.root, self.path)
        if self.old is not None:
            os.rename(self.old, self.root)
            self.old = None
        self.swapped = False

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None and self.swapped:
            self._swap_back()
        unwanted = self.old if self.swapped else self._path
        if unwanted is None:
            return
        try:
            shutil.rmtree(unwanted)
        except OSError:
            self.left_behind = unwanted
