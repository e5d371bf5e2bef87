"""The installation's secret: made once, private, stable, and the only thing hidden data
is drawn from."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

SEED = ("import sys; from hireloop.installation import secret_seed; "
        "print(secret_seed('code-case', 'coding/x', 0, 'large'))")


def _seed(env: dict[str, str]) -> int:
    out = subprocess.run([sys.executable, "-c", SEED], capture_output=True, text=True,
                         env=env, check=True)
    return int(out.stdout)


def _env(data_dir: Path, key: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HIRELOOP_INSTALLATION_KEY"}
    env["HIRELOOP_DATA_DIR"] = str(data_dir)
    if key is not None:
        env["HIRELOOP_INSTALLATION_KEY"] = key
    return env


def test_the_key_is_made_once_readable_by_its_owner_only_and_kept(tmp_path: Path) -> None:
    first = _seed(_env(tmp_path / "a"))
    key_file = tmp_path / "a" / "installation.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    assert _seed(_env(tmp_path / "a")) == first  # the same data on the next start
    assert _seed(_env(tmp_path / "b")) != first  # another installation draws other data


def test_a_configured_key_is_used_and_shared_across_processes(tmp_path: Path) -> None:
    key = "ab" * 32
    one = _seed(_env(tmp_path / "a", key))
    two = _seed(_env(tmp_path / "b", key))
    assert one == two
    assert not (tmp_path / "a" / "installation.key").exists()
    assert 0 <= one < 2**63


def test_a_bad_key_is_refused_with_the_reason(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", SEED], capture_output=True, text=True,
                         env=_env(tmp_path, "not hex"))
    assert out.returncode != 0
    assert "HIRELOOP_INSTALLATION_KEY must be hex" in out.stderr


def test_bank_checks_fixed_key_holds_in_its_thread_only() -> None:
    from hireloop.installation import fixed_key, installation_key

    mine = installation_key()
    seen: list[bytes] = []
    with fixed_key(b"k" * 32):
        assert installation_key() == b"k" * 32
        worker = threading.Thread(target=lambda: seen.append(installation_key()))
        worker.start()
        worker.join()
    assert seen == [mine]
    assert installation_key() == mine
