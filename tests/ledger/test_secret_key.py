"""The web session's signing key: from the environment, else made once and kept."""

from __future__ import annotations

import stat

from ledger import config


def test_the_key_is_made_once_kept_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    first = config.secret_key()
    assert len(first) == 64 and int(first, 16) >= 0  # 256 random bits, hex
    kept = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert config.secret_key() == first
    assert [p.name for p in kept.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.setenv("LEDGER_SECRET_KEY", "from-the-environment")
    assert config.secret_key() == "from-the-environment"
    assert not (tmp_path / "instance").exists()
