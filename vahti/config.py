"""``vahti.toml``: the database and the sites to watch (see ``docs/configuration.md``).

>>> [parse_interval(x).total_seconds() for x in ("90s", "15m", "6h", "1d")]
[90.0, 900.0, 21600.0, 86400.0]
>>> site = SiteConfig.from_dict({"url": "https://ilmastovahti.hel.fi/", "languages": ["fi", "sv"]})
>>> site.url, site.rate, site.user_agent.startswith("vahti/")
('https://ilmastovahti.hel.fi', 1.0, True)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import stat
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from vahti import __version__
from vahti.errors import ConfigError
from vahti.redact import redact_url
from vahti.text import fold

DEFAULT_DB = "vahti.db"
DEFAULT_CONFIG = "vahti.toml"
DEFAULT_EVERY = "6h"
DEFAULT_RATE = 1.0  # requests per second to one host
DEFAULT_CONCURRENCY = 2
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds; doubles each retry, with jitter
DEFAULT_MAX_BACKOFF = 120.0
DEFAULT_MISSING_AFTER = 2  # consecutive 404/410 crawls before a measure counts as removed
PROJECT_URL = "https://github.com/vahti-archive/vahti"

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> dt.timedelta:
    m = _INTERVAL.match(str(text))
    if not m:
        raise ConfigError(f"not an interval: {text!r} (use e.g. \"30s\", \"15m\", \"6h\", \"1d\")")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise ConfigError(f"interval must be positive: {text!r}")
    return dt.timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """One Kausal Watch site: where it is and how politely to read it."""

    url: str
    languages: tuple[str, ...] = ("fi",)
    every: str | None = DEFAULT_EVERY
    cron: str | None = None
    rate: float = DEFAULT_RATE
    contact: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_backoff: float = DEFAULT_MAX_BACKOFF
    missing_after: int = DEFAULT_MISSING_AFTER
    unreachable_after: int = 2  # crawls in a row that cannot reach the site before site.unreachable
    max_crawl: float = 6 * 3600.0  # seconds one crawl of the site may take; then it stops, saying so
    sitemap: bool = True
    list_page: bool = True
    chain: bool = True
    probe: tuple[int, int] | None = None  # try identifiers lo..hi (inclusive)
    respect_robots: bool = True

    name: str | None = None  # how alerts call the site ("Helsinki"); default: its host

    KEYS = frozenset({"url", "name", "languages", "every", "cron", "rate", "contact", "concurrency", "timeout",
                      "max_bytes", "retries", "backoff", "max_backoff", "missing_after", "unreachable_after", "max_crawl", "sitemap", "list_page",
                      "chain", "probe"})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "[[site]]") -> SiteConfig:
        _known_keys(data, cls.KEYS, where)
        if "url" not in data:
            raise ConfigError(f"{where}: url is required")
        kwargs: dict[str, Any] = {"url": _base_url(str(data["url"]), where)}
        if "languages" in data:
            langs = data["languages"]
            if not isinstance(langs, list) or not langs or not all(isinstance(x, str) and x for x in langs):
                raise ConfigError(f"{where}: languages must be a non-empty list of language codes")
            kwargs["languages"] = tuple(x.lower() for x in langs)
        if "cron" in data:
            kwargs["cron"], kwargs["every"] = str(data["cron"]), None
        if "every" in data:
            parse_interval(data["every"])
            kwargs["every"] = str(data["every"])
        for key, typ in (("rate", float), ("timeout", float), ("backoff", float), ("max_backoff", float),
                         ("max_crawl", float)):
            if key in data:
                kwargs[key] = _number(data[key], typ, where, key, minimum=0.0, exclusive=True)
        for key in ("concurrency", "max_bytes", "missing_after", "unreachable_after"):
            if key in data:
                kwargs[key] = int(_number(data[key], int, where, key, minimum=1))
        if "retries" in data:
            kwargs["retries"] = int(_number(data["retries"], int, where, "retries", minimum=0))
        for key in ("sitemap", "list_page", "chain"):
            if key in data:
                if not isinstance(data[key], bool):
                    raise ConfigError(f"{where}: {key} must be true or false")
                kwargs[key] = data[key]
        if "contact" in data:
            kwargs["contact"] = str(data["contact"])
        if "name" in data:
            kwargs["name"] = str(data["name"])
        if "probe" in data:
            kwargs["probe"] = _probe(data["probe"], where)
        return cls(**kwargs)

    @property
    def interval(self) -> dt.timedelta | None:
        return parse_interval(self.every) if self.every else None

    @property
    def user_agent(self) -> str:
        return f"vahti/{__version__} (+{self.contact or PROJECT_URL})"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def base_path(self) -> str:
        return urlsplit(self.url).path.rstrip("/")

    def action_url(self, identifier: str, language: str | None = None) -> str:
        """``/actions/<id>`` in the primary language, ``/<lang>/actions/<id>`` in the others."""
        prefix = "" if language in (None, self.languages[0]) else f"/{language}"
        return f"{self.origin}{prefix}{self.base_path}/actions/{identifier}"


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """How alerts leave: the SMTP server (secrets from the environment) and retry policy."""

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password_env: str = "VAHTI_SMTP_PASSWORD"
    smtp_password: str | None = None  # only from a config file that others cannot read
    from_address: str = "vahti@localhost"
    max_attempts: int = 5
    retry_base: float = 60.0  # seconds; doubles per attempt, with jitter
    timeout: float = 30.0
    report_url: str | None = None  # where the web report is published: messages link to measure pages there

    KEYS = frozenset({"smtp_host", "smtp_port", "smtp_starttls", "smtp_user", "smtp_password_env", "smtp_password",
                      "from", "max_attempts", "retry_base", "timeout", "report_url"})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "[alerts]") -> AlertsConfig:
        _known_keys(data, cls.KEYS, where)
        kwargs: dict[str, Any] = {}
        for key in ("smtp_host", "smtp_user", "smtp_password_env", "smtp_password", "report_url"):
            if key in data:
                kwargs[key] = str(data[key])
        if "from" in data:
            kwargs["from_address"] = str(data["from"])
        if "smtp_port" in data:
            kwargs["smtp_port"] = int(_number(data["smtp_port"], int, where, "smtp_port", minimum=1))
        if "smtp_starttls" in data:
            if not isinstance(data["smtp_starttls"], bool):
                raise ConfigError(f"{where}: smtp_starttls must be true or false")
            kwargs["smtp_starttls"] = data["smtp_starttls"]
        if "max_attempts" in data:
            kwargs["max_attempts"] = int(_number(data["max_attempts"], int, where, "max_attempts", minimum=1))
        for key in ("retry_base", "timeout"):
            if key in data:
                kwargs[key] = _number(data[key], float, where, key, minimum=0.0, exclusive=True)
        return cls(**kwargs)

    def password(self) -> str | None:
        return os.environ.get(self.smtp_password_env) or self.smtp_password

    def __repr__(self) -> str:  # never print the password
        return f"AlertsConfig(smtp_host={self.smtp_host!r}, smtp_port={self.smtp_port}, smtp_user={self.smtp_user!r})"


ChannelName = Literal["email", "webhook", "atom", "apprise"]
APPRISE_HINT = "the apprise channel needs the chat extra: pip install 'vahti[chat]'"
Mode = Literal["immediate", "daily"]
CHANNELS: tuple[ChannelName, ...] = get_args(ChannelName)
MODES: tuple[Mode, ...] = get_args(Mode)


JOBS_TABLE = "apscheduler_jobs"  # the daemon's job store, a table in vahti's own database


@dataclass(frozen=True, slots=True)
class Filters:
    """Which events a subscription wants. Every filter it sets must match (an empty one matches
    everything): site, measure (identifier or URL), category of the measure, kind (``task.*``
    for a family), and a case-insensitive text match on the event's subject or summary.

    >>> f = Filters(kinds=("task.*", "contact.removed"), text="koulu")
    >>> f.matches(site="https://x", measure="91", url="https://x/actions/91", categories=("Koulutus",),
    ...           kind="task.completed", subject="Koulujen yhteistyö", summary="", flags=())
    True
    >>> f.matches(site="https://x", measure="91", url="https://x/actions/91", categories=(),
    ...           kind="status.changed", subject="status", summary="", flags=())
    False
    """

    sites: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str | None = None
    include_flaps: bool = True

    def matches(self, *, site: str, measure: str, url: str, categories: tuple[str, ...], kind: str, subject: str,
                summary: str, flags: tuple[str, ...]) -> bool:
        if self.sites and site.rstrip("/") not in {s.rstrip("/") for s in self.sites}:
            return False
        if self.measures and measure not in self.measures and url not in self.measures:
            return False
        if self.categories and not {fold(c) for c in categories} & {fold(c) for c in self.categories}:
            return False
        if self.kinds and not any(kind_matches(k, kind) for k in self.kinds):
            return False
        if self.text and fold(self.text) not in fold(subject) and fold(self.text) not in fold(summary):
            return False
        return self.include_flaps or "flap" not in flags

    def to_json(self) -> str:
        """The filters as stored (``subscriptions.filters``); ``include_flaps`` has a column of its own."""
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if k != "include_flaps"}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None, *, include_flaps: bool = True) -> Filters:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(sites=tuple(data.get("sites", ())), measures=tuple(data.get("measures", ())),
                   categories=tuple(data.get("categories", ())), kinds=tuple(data.get("kinds", ())),
                   text=data.get("text"), include_flaps=include_flaps)


def kind_patterns(patterns: tuple[str, ...] | list[str]) -> tuple[list[str], list[str]]:
    """(exact kinds, family prefixes) of ``--kind`` patterns: ``task.*`` is the prefix ``task.``."""
    return [k for k in patterns if not k.endswith(".*")], [k[:-1] for k in patterns if k.endswith(".*")]


def kind_matches(pattern: str, kind: str) -> bool:
    """``task.*`` matches every ``task.`` kind; any other pattern only itself.

    >>> kind_matches("task.*", "task.completed"), kind_matches("task.*", "taskforce.x")
    (True, False)
    """
    return kind == pattern or (pattern.endswith(".*") and kind.startswith(pattern[:-1]))


@dataclass(frozen=True, slots=True)
class SubscriptionConfig:
    """Who gets which events, how and when."""

    name: str
    channel: ChannelName
    target: str
    mode: Mode = "immediate"
    digest_hour: int = 7  # UTC hour of the daily digest
    filters: Filters = Filters()
    secret_env: str | None = None  # webhook: environment variable holding the HMAC secret

    KEYS = frozenset({"name", "email", "webhook", "atom", "apprise", "mode", "digest_hour", "sites", "measures",
                      "categories", "kinds", "text", "include_flaps", "secret_env"})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "[[subscription]]") -> SubscriptionConfig:
        _known_keys(data, cls.KEYS, where)
        name = str(data.get("name") or "").strip()
        if not name or not re.fullmatch(r"[\w.@+-]{1,100}", name):
            raise ConfigError(f"{where}: name is required (letters, digits, . @ + - _)")
        channels = [c for c in CHANNELS if c in data]
        if len(channels) != 1:
            raise ConfigError(f"{where}: give exactly one of email, webhook, atom, apprise")
        channel = channels[0]
        value = data[channel]
        if channel == "apprise":  # one or more Apprise URLs (or env:VAR naming one), kept one a line
            urls = [value] if isinstance(value, str) else value
            if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u.strip() for u in urls):
                raise ConfigError(f"{where}: apprise must be a URL or a list of URLs")
            value = "\n".join(u.strip() for u in urls)
        target = str(value)
        validate_target(channel, target, where)
        mode = str(data.get("mode", "immediate"))
        if mode not in MODES:
            raise ConfigError(f"{where}: mode must be immediate or daily")
        hour = data.get("digest_hour", 7)
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            raise ConfigError(f"{where}: digest_hour must be a whole hour 0..23 (UTC)")
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("sites", "measures", "categories", "kinds"):
            value = data.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise ConfigError(f"{where}: {key} must be a list of strings")
            lists[key] = tuple(value)
        if lists["sites"]:
            lists["sites"] = tuple(_base_url(u, where) for u in lists["sites"])
        include_flaps = data.get("include_flaps", True)
        if not isinstance(include_flaps, bool):
            raise ConfigError(f"{where}: include_flaps must be true or false")
        filters = Filters(text=data.get("text"), include_flaps=include_flaps, **lists)
        return cls(name=name, channel=channel, target=target, mode=mode, digest_hour=hour, filters=filters,
                   secret_env=data.get("secret_env"))


def validate_target(channel: str, target: str, where: str) -> None:
    if channel == "email" and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", target):
        raise ConfigError(f"{where}: not an e-mail address: {target!r}")
    if channel == "webhook":
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{where}: webhook must be an http(s) URL: {redact_url(target)!r}")
    if channel == "apprise":
        if importlib.util.find_spec("apprise") is None:
            raise ConfigError(f"{where}: {APPRISE_HINT}")
        for url in target.splitlines():
            if not (url.startswith("env:") and url[4:].isidentifier()) and not re.match(r"^[a-z0-9+]{2,20}://\S+$", url):
                raise ConfigError(f"{where}: not an Apprise URL (service://…) or env:VARIABLE: {redact_url(url)!r}")
    if channel == "atom" and not target.strip():
        raise ConfigError(f"{where}: atom needs a file path")


EvidenceMode = Literal["all", "latest", "none"]  # pages as captured in the report: every one, the current ones, none
REPORT_EVIDENCE: tuple[EvidenceMode, ...] = get_args(EvidenceMode)


@dataclass(frozen=True, slots=True)
class ReportConfig:
    """``[report]``: the static web report ``vahti run`` rebuilds after each crawl (when ``out`` is set)."""

    out: str | None = None  # the folder; None: no report is built by `vahti run`
    base_url: str | None = None  # where it is published: alerts and feeds link to its measure pages
    stale_months: int = 12  # "not updated for N months"
    gap_hours: float = 48.0  # longer without a check is a gap in the timeline
    evidence: EvidenceMode = "all"  # pages as captured: all versions' and failures', the latest only, or none

    KEYS = frozenset({"out", "base_url", "stale_months", "gap_hours", "evidence"})

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "[report]") -> ReportConfig:
        _known_keys(data, cls.KEYS, where)
        kwargs: dict[str, Any] = {}
        if "out" in data:
            kwargs["out"] = str(data["out"])
        if "base_url" in data:
            kwargs["base_url"] = _base_url(str(data["base_url"]), f"{where} base_url")
        if "stale_months" in data:
            kwargs["stale_months"] = int(_number(data["stale_months"], int, where, "stale_months", minimum=1))
        if "gap_hours" in data:
            kwargs["gap_hours"] = _number(data["gap_hours"], float, where, "gap_hours", minimum=0.0, exclusive=True)
        if "evidence" in data:
            if data["evidence"] not in REPORT_EVIDENCE:
                raise ConfigError(f"{where}: evidence must be one of {', '.join(REPORT_EVIDENCE)}")
            kwargs["evidence"] = data["evidence"]
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Config:
    database: str = DEFAULT_DB
    sites: tuple[SiteConfig, ...] = ()
    path: Path | None = None
    warnings: tuple[str, ...] = field(default=())
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    subscriptions: tuple[SubscriptionConfig, ...] = ()
    report: ReportConfig = field(default_factory=ReportConfig)

    def site(self, url: str) -> SiteConfig | None:
        base = _base_url(url, "--site")
        return next((s for s in self.sites if s.url == base), None)


def _known_keys(data: dict[str, Any], known: frozenset[str], where: str) -> None:
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _base_url(url: str, where: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _number(value: Any, typ: type, where: str, key: str, *, minimum: float, exclusive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (typ is int and not isinstance(value, int)):
        raise ConfigError(f"{where}: {key} must be a {'whole ' if typ is int else ''}number")
    if value < minimum or (exclusive and value == minimum):
        raise ConfigError(f"{where}: {key} must be {'above' if exclusive else 'at least'} {minimum:g}")
    return float(value)


def _probe(value: Any, where: str) -> tuple[int, int]:
    text = str(value)
    m = re.match(r"^\s*(\d+)\s*(?:-|\.\.)\s*(\d+)\s*$", text)
    if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(2)) - int(m.group(1)) > 10_000:
        raise ConfigError(f"{where}: probe must be a range like \"1-200\" (at most 10000 identifiers)")
    return int(m.group(1)), int(m.group(2))


def load(path: str | Path | None = None, *, db: str | None = None, sites: tuple[str, ...] = (),
         every: str | None = None, rate: float | None = None) -> Config:
    """The configuration: ``--config FILE``, else ``./vahti.toml`` if present, else flags only.

    Flags override the file: ``--db``; ``--site URL`` picks configured sites (or adds
    one with defaults); ``--every`` and ``--rate`` apply to the sites picked.
    """
    warnings: list[str] = []
    data: dict[str, Any] = {}
    file: Path | None = None
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"no configuration file at {file}")
    elif Path(DEFAULT_CONFIG).is_file():
        file = Path(DEFAULT_CONFIG)
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
        mode = file.stat().st_mode
        if mode & (stat.S_IROTH | stat.S_IWOTH) and _has_secrets(data):
            warnings.append(f"{file} is readable by other users and holds secrets: chmod 600 {file}")
    unknown = set(data) - {"database", "site", "subscription", "alerts", "report"}
    if unknown:
        raise ConfigError(f"{file}: unknown section(s) {', '.join(sorted(unknown))}")
    database = db or os.environ.get("VAHTI_DB") or str(data.get("database", {}).get("url") or DEFAULT_DB)
    raw_sites = data.get("site", [])
    if not isinstance(raw_sites, list):
        raise ConfigError(f"{file}: use [[site]] tables for sites")
    configured = tuple(SiteConfig.from_dict(s, where=f"{file} [[site]] #{i + 1}") for i, s in enumerate(raw_sites))
    chosen: list[SiteConfig] = list(configured)
    if sites:
        chosen = []
        for url in sites:
            base = _base_url(url, "--site")
            chosen.append(next((s for s in configured if s.url == base), SiteConfig(url=base)))
    if every is not None:
        parse_interval(every)
        chosen = [replace(s, every=every, cron=None) for s in chosen]
    if rate is not None:
        if rate <= 0:
            raise ConfigError("--rate must be above 0")
        chosen = [replace(s, rate=rate) for s in chosen]
    alerts = AlertsConfig.from_dict(data.get("alerts", {}), where=f"{file} [alerts]")
    report = ReportConfig.from_dict(data.get("report", {}), where=f"{file} [report]")
    if report.base_url and not alerts.report_url:  # one address for both: alerts link to the report's pages
        alerts = replace(alerts, report_url=report.base_url)
    if alerts.smtp_password and file is not None and file.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise ConfigError(f"{file} holds an SMTP password and other users can read it: chmod 600 {file}, "
                          f"or put the password in ${alerts.smtp_password_env}")
    raw_subs = data.get("subscription", [])
    if not isinstance(raw_subs, list):
        raise ConfigError(f"{file}: use [[subscription]] tables")
    subscriptions = tuple(SubscriptionConfig.from_dict(x, where=f"{file} [[subscription]] #{i + 1}")
                          for i, x in enumerate(raw_subs))
    names = [x.name for x in subscriptions]
    if len(set(names)) != len(names):
        raise ConfigError(f"{file}: subscription names must be unique")
    return Config(database=database, sites=tuple(chosen), path=file, warnings=tuple(warnings), alerts=alerts,
                  subscriptions=subscriptions, report=report)


def _has_secrets(data: dict[str, Any]) -> bool:
    text = repr(data).lower()
    return any(word in text for word in ("password", "secret", "token"))
