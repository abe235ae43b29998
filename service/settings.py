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
