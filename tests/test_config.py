"""The configuration file: the documented example loads, mistakes are clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import ROOT
from vahti.config import SiteConfig, load, parse_interval
from vahti.errors import ConfigError


def test_the_documented_example_loads() -> None:
    cfg = load(ROOT / "vahti" / "data" / "vahti.example.toml")
    assert cfg.database == "vahti.db"
    (site,) = cfg.sites
    assert site.url == "https://ilmastovahti.hel.fi" and site.languages == ("fi", "sv")
    assert site.user_agent.endswith("(+mailto:newsroom@example.org)")
    assert site.action_url("91", "sv") == "https://ilmastovahti.hel.fi/sv/actions/91"
    assert site.interval is not None and site.interval.total_seconds() == 6 * 3600


def test_flags_override_the_file(tmp_path: Path) -> None:
    conf = tmp_path / "v.toml"
    conf.write_text('[database]\nurl = "a.db"\n[[site]]\nurl = "https://a.example"\nrate = 2\n', encoding="utf-8")
    cfg = load(conf, db="b.db", sites=("https://a.example/", "https://b.example/plan/"), rate=0.5, every="30s")
    assert cfg.database == "b.db"
    assert [(s.url, s.rate, s.every) for s in cfg.sites] == [
        ("https://a.example", 0.5, "30s"), ("https://b.example/plan", 0.5, "30s")]
    assert cfg.sites[1].action_url("CL3") == "https://b.example/plan/actions/CL3"


@pytest.mark.parametrize("text, message", [
    ('[[site]]\nurl = "ftp://x"\n', "not an http(s) URL"),
    ('[[site]]\nurl = "https://x"\nrate = 0\n', "rate must be above 0"),
    ('[[site]]\nurl = "https://x"\nevery = "often"\n', "not an interval"),
    ('[[site]]\nurl = "https://x"\nspeed = 3\n', "unknown key(s) speed"),
    ('[[site]]\nlanguages = ["fi"]\n', "url is required"),
    ('[sites]\n', "unknown section(s) sites"),
    ('[[site]]\nurl = "https://x"\nprobe = "9-1"\n', "probe must be a range"),
    ("[[site]\n", "not valid TOML"),
])
def test_mistakes_are_clear(tmp_path: Path, text: str, message: str) -> None:
    conf = tmp_path / "v.toml"
    conf.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(conf)


def test_secrets_in_a_world_readable_file_are_refused(tmp_path: Path) -> None:
    conf = tmp_path / "v.toml"
    conf.write_text('[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_password = "hunter2"\n', encoding="utf-8")
    os.chmod(conf, 0o644)
    with pytest.raises(ConfigError, match="chmod 600") as err:
        load(conf)
    assert "hunter2" not in str(err.value)
    os.chmod(conf, 0o600)
    cfg = load(conf)
    assert not cfg.warnings and cfg.alerts.password() == "hunter2" and "hunter2" not in repr(cfg.alerts)


def test_subscriptions(tmp_path: Path) -> None:
    conf = tmp_path / "v.toml"
    conf.write_text('[[subscription]]\nname = "newsroom"\nemail = "desk@example.org"\nkinds = ["task.*"]\n'
                    'mode = "daily"\ndigest_hour = 6\n\n[[subscription]]\nname = "bot"\n'
                    'webhook = "https://bot.example.org/hook"\nsecret_env = "BOT_SECRET"\n', encoding="utf-8")
    a, b = load(conf).subscriptions
    assert (a.channel, a.target, a.filters.kinds, a.mode, a.digest_hour) == ("email", "desk@example.org", ("task.*",), "daily", 6)
    assert (b.channel, b.secret_env) == ("webhook", "BOT_SECRET")
    conf.write_text('[[subscription]]\nname = "x"\nwebhook = "file:///etc/passwd"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="http"):
        load(conf)


def test_intervals() -> None:
    assert parse_interval("1.5h").total_seconds() == 5400
    with pytest.raises(ConfigError):
        parse_interval("0s")
    assert SiteConfig(url="https://x").every == "6h"


def test_the_alerts_doc_example_loads(tmp_path: Path) -> None:
    import re

    text = (ROOT / "docs" / "alerts.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    conf = tmp_path / "v.toml"
    conf.write_text(block.group(1), encoding="utf-8")
    cfg = load(conf)
    assert [s.name for s in cfg.subscriptions] == ["newsroom", "bot", "slack-desk", "public-feed"]
    assert cfg.alerts.smtp_host == "smtp.example.org" and cfg.alerts.max_attempts == 5
