"""The console script as IT and developers use it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from appliance.box.secrets import write_secret

SPREEKKAMER = [sys.executable, "-m", "appliance.cli"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SPREEKKAMER, *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def test_check_config_accepts_a_good_file(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[device]\norg = "gent"\ndevice_id = "room-3"\n\n[api]\nport = 8181\n')
    r = _run("check-config", str(good))
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


def test_check_config_names_each_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[api]\nport = 70000\ncolour = "red"\n\n[audio]\nchannels = 3\n\n[sync]\nbroker_host = "10.0.0.5"\n')
    r = _run("check-config", str(bad))
    assert r.returncode == 1
    assert "api.port" in r.stderr and "api.colour" in r.stderr and "audio.channels" in r.stderr
    assert "Traceback" not in r.stderr


def test_check_config_refuses_secrets_and_broken_toml(tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text('[store]\nkey = "00112233"\n')
    r = _run("check-config", str(secret))
    assert r.returncode == 1 and "store.key" in r.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[api\nport = 1")
    r = _run("check-config", str(broken))
    assert r.returncode == 1 and "not valid TOML" in r.stderr
    r = _run("check-config", str(tmp_path / "missing.toml"))
    assert r.returncode == 1 and "cannot read" in r.stderr


def test_dev_profile_refuses_non_loopback(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[api]\nhost = "0.0.0.0"\n')
    r = _run("check-config", str(conf))
    assert r.returncode == 1 and "loopback" in r.stderr


def test_audit_verify_and_tamper_via_cli(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    write_secret(creds / "db-key", secrets.token_hex(32).encode())
    conf = tmp_path / "c.toml"
    conf.write_text(f'credentials_dir = "{creds}"\n\n[store]\ndata_dir = "{tmp_path / "data"}"\n')
    env = {"SPREEKKAMER_NEW_PASSWORD": "een lang wachtwoord"}
    r = _run("users", "add", "jan", "Jan Peeters", "--config", str(conf), env=env)
    assert r.returncode == 0, r.stderr
    r = _run("audit", "verify", "--config", str(conf))
    assert r.returncode == 0, r.stdout + r.stderr

    from appliance.box.config import load_config
    from appliance.box.keys import open_store

    store, _ = open_store(load_config(conf))
    # Someone with the database key can drop the append-only trigger; the chain still tells.
    store.execute("DROP TRIGGER audit_log_no_update")
    store.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
    store.close()
    r = _run("audit", "verify", "--config", str(conf))
    assert r.returncode == 1
    assert "entry 1" in (r.stdout + r.stderr).lower() or "seq 1" in (r.stdout + r.stderr).lower(), r.stdout + r.stderr


def test_weak_password_is_refused_clearly(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    write_secret(creds / "db-key", secrets.token_hex(32).encode())
    conf = tmp_path / "c.toml"
    conf.write_text(f'credentials_dir = "{creds}"\n\n[store]\ndata_dir = "{tmp_path / "data"}"\n')
    r = _run("users", "add", "jan", "Jan", "--config", str(conf), env={"SPREEKKAMER_NEW_PASSWORD": "kort"})
    assert r.returncode == 1 and "12" in r.stderr


def test_it_unlocks_and_sets_passwords_and_a_missing_key_is_said_plainly(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    write_secret(creds / "db-key", secrets.token_hex(32).encode())
    conf = tmp_path / "c.toml"
    conf.write_text(f'credentials_dir = "{creds}"\n\n[store]\ndata_dir = "{tmp_path / "data"}"\n')
    env = {"SPREEKKAMER_NEW_PASSWORD": "een lang wachtwoord"}
    assert _run("users", "add", "jan", "Jan Peeters", "--config", str(conf), env=env).returncode == 0
    assert _run("users", "unlock", "jan", "--config", str(conf)).returncode == 0
    missing = _run("users", "unlock", "piet", "--config", str(conf))
    assert missing.returncode == 1 and "no account 'piet'" in missing.stderr
    again = _run("users", "password", "jan", "--config", str(conf), env={"SPREEKKAMER_NEW_PASSWORD": "kort"})
    assert again.returncode == 1 and "at least 12" in again.stderr
    assert _run("users", "password", "jan", "--config", str(conf),
                env={"SPREEKKAMER_NEW_PASSWORD": "een nieuw lang wachtwoord"}).returncode == 0
    (creds / "db-key").unlink()
    unprovisioned = _run("users", "unlock", "jan", "--config", str(conf))
    assert unprovisioned.returncode == 2 and "Traceback" not in unprovisioned.stderr
    assert "db-key" in unprovisioned.stderr


def test_a_box_without_a_tpm_says_so_at_start_up(tmp_path: Path) -> None:
    import json

    from appliance.cli import warn_about_sealing

    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"seal_mode": "host"}))
    assert "not a TPM2" in (warn_about_sealing(bundle) or "")
    bundle.write_text(json.dumps({"seal_mode": "tpm2"}))
    assert warn_about_sealing(bundle) is None
    assert warn_about_sealing(tmp_path / "absent.json") is None
