"""Settings of the service and the CLI, from ``OBSPORTAL_*`` environment variables.

One pydantic-settings object; every field is documented in README's
configuration table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OBSPORTAL_", env_file=None, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; empty means the embedded SQLite file "
        "<data_dir>/obsportal.sqlite.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("obsportal", appauthor=False)),
        description="Directory of the embedded database and of async job results.",
    )
    load_demo: bool = Field(
        default=True,
        description="Load the bundled demo log when the embedded database is created.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL clients see (behind a proxy); default: from each request.",
    )
    publisher_authority: str = Field(
        default="ivo://obsportal.local",
        description="IVOA authority used to build obs_publisher_did values.",
    )
    host: str = Field(default="127.0.0.1", description="Address `obsportal serve` binds.")
    port: int = Field(default=8000, description="Port `obsportal serve` listens on.")
    log_level: str = Field(default="info", description="Log level (debug, info, warning).")
    log_json: bool = Field(default=False, description="Write logs as JSON lines.")
    maxrec_default: int = Field(default=100_000, ge=0,
                                description="Rows returned when a query gives no MAXREC.")
    maxrec_hard: int = Field(default=20_000_000, ge=1,
                             description="Largest MAXREC accepted (declared in capabilities).")
    sync_timeout: int = Field(default=120, ge=1,
                              description="Seconds a /tap/sync query may run.")
    async_duration_default: int = Field(default=3600, ge=1,
                                        description="Default executionDuration of async "
                                        "jobs (s).")
    async_duration_hard: int = Field(default=4 * 3600, ge=1,
                                     description="Largest executionDuration accepted (s).")
    retention_default: int = Field(default=7 * 86400, ge=60,
                                   description="Seconds an async job and its result are kept.")
    retention_hard: int = Field(default=30 * 86400, ge=60,
                                description="Longest retention a client may ask for (s).")
    upload_limit: int = Field(default=20_000_000, ge=0,
                              description="Largest accepted upload per request (bytes).")
    upload_max_rows: int = Field(default=1_000_000, ge=0,
                                 description="Largest number of rows of an uploaded table.")
    workers: int = Field(default=2, ge=0,
                         description="In-process async job workers (0: jobs need "
                         "`obsportal worker`).")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'obsportal.sqlite'}"

    @property
    def is_embedded(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
