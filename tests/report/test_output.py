"""The report's output (quanheng.report.output): the directory checked first, files written whole.

Read-only and full filesystems are real: a small tmpfs mounted in a private mount namespace
(``unshare -m``, as root), so nothing outside the test sees it and it vanishes with the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quanheng.errors import EnvironmentProblem, InputError
from quanheng.report.output import make_dir, prepare_output_dir, write_atomic

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
needs_mounts = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="mounting a tmpfs in a private namespace needs root and unshare",
)


def in_tmpfs(mount: Path, options: str, script: str) -> subprocess.CompletedProcess[str]:
    """Run Python ``script`` with a fresh tmpfs (mount ``options``) at ``mount``, privately."""
    mount.mkdir(parents=True, exist_ok=True)
    code = textwrap.dedent(script)
    shell = f'mount -t tmpfs -o {options} tmpfs "$1" && exec "$2" -c "$3"'
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", shell, "sh", str(mount), sys.executable, code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ----------------------------------------------------------------------------- the directory


def test_a_missing_directory_is_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    prepare_output_dir(out)
    assert out.is_dir() and list(out.iterdir()) == []  # the probe is gone


def test_a_file_as_the_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.html").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as info:
        prepare_output_dir(tmp_path / "report.html")
    assert info.value.lines() == [
        "--out: report.html is a file, not a directory — give --out a directory (it is created)"
    ]


def test_a_directory_under_a_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as info:
        prepare_output_dir(tmp_path / "f" / "out")
    assert info.value.lines() == [
        "--out: f/out cannot be created (Not a directory) — give --out a writable directory"
    ]


@needs_mounts
def test_a_read_only_filesystem_is_refused_before_any_work(tmp_path: Path) -> None:
    """As root, permission bits do not stop a write; the mount's read-only flag does."""
    mount = tmp_path / "ro"
    proc = in_tmpfs(
        mount,
        "ro,size=1m",
        f"""
        from pathlib import Path
        from quanheng.errors import InputError
        from quanheng.report.output import prepare_output_dir
        for out in (Path({str(mount)!r}), Path({str(mount)!r}) / "new"):
            try:
                prepare_output_dir(out)
            except InputError as exc:
                print(*exc.lines())
        """,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"--out: {mount} is on a read-only filesystem — give --out a writable directory",
        f"--out: {mount}/new cannot be created (Read-only file system) — give --out a "
        "writable directory",
    ]


# ----------------------------------------------------------------------------- the files


def test_write_atomic_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text("old", encoding="utf-8")
    assert write_atomic(path, "new ✓") == path
    assert path.read_text(encoding="utf-8") == "new ✓"
    write_atomic(path, b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_atomic_into_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match=r"cannot write .*r\.md \(No such file"):
        write_atomic(tmp_path / "gone" / "r.md", "x")


def test_make_dir_over_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.charts").write_text("", encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=r"cannot create .*x\.charts \(File exists\)"):
        make_dir(tmp_path / "x.charts")


@needs_mounts
def test_a_full_disk_keeps_the_old_file_and_leaves_nothing_partial(tmp_path: Path) -> None:
    mount = tmp_path / "full"
    proc = in_tmpfs(
        mount,
        "size=64k",
        f"""
        from pathlib import Path
        from quanheng.errors import EnvironmentProblem
        from quanheng.report.output import write_atomic
        out = Path({str(mount)!r})
        write_atomic(out / "r.html", "the old report")
        try:
            write_atomic(out / "r.html", "x" * 200_000)
        except EnvironmentProblem as exc:
            print(exc)
        print(sorted(p.name for p in out.iterdir()))
        print((out / "r.html").read_text())
        """,
    )
    assert proc.returncode == 0, proc.stderr
    error, listing, content = proc.stdout.splitlines()
    assert error.startswith(f"cannot write {mount}/r.html (No space left on device)")
    assert listing == "['r.html']"
    assert content == "the old report"


@needs_mounts
def test_report_into_a_full_disk_is_one_line_and_no_truncated_file(tmp_path: Path) -> None:
    """The whole command: exit 2, one line, and every file left behind is complete."""
    mount = tmp_path / "full"
    proc = in_tmpfs(
        mount,
        "size=96k",
        f"""
        import sys
        from pathlib import Path
        from quanheng.cli import main
        out = Path({str(mount)!r})
        try:
            main(["report", {str(MINI)!r}, "--lang", "en", "--format", "html,md",
                  "--draws", "0", "--out", str(out)])
        except SystemExit as exc:
            print("exit", exc.code)
        for p in sorted(out.rglob("*")):
            if p.is_file():
                print("file", p.relative_to(out), p.read_bytes()[-20:])
        """,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[-1:] == [
        line for line in proc.stderr.splitlines() if line.startswith("cannot write")
    ]
    (error,) = proc.stderr.splitlines()
    assert "(No space left on device)" in error
    assert "exit 2" in proc.stdout.splitlines()
    files = [line for line in proc.stdout.splitlines() if line.startswith("file ")]
    for line in files:
        name, tail = line[len("file ") :].split(" ", 1)
        assert not name.startswith("."), f"temporary file left behind: {name}"
        # every file written is whole: SVGs end with </svg>, pages with </html>, Markdown \n
        if name.endswith(".svg"):
            assert "</svg>" in tail, line
        if name.endswith(".html"):
            assert "</html>" in tail, line
