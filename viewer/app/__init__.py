"""The local Starlette app: viewer pages of open exports, the start page, the guide (serve)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware

from verify.contract import Contract
from viewer.app.guide import Guide
from viewer.app.pages import NotReady, not_ready
from viewer.app.routes import routes
from viewer.app.security import DEFAULT_MAX_UPLOAD, VIEWER_CSP, Guard, Secrets
from viewer.app.sessions import Session, Sessions

__all__ = ["AppConfig", "ContractFiles", "Live", "create_app"]


@dataclass(frozen=True)
class ContractFiles:
    """Where the run's contract comes from: --contract and --mapping (None: the default)."""

    contract: Path | None = None
    mapping: Path | None = None

    def load(self) -> Contract:
        """Load the contract again, with the mapping applied, exactly as the command line does."""
        from viewer.options import load_contract_from_args

        return load_contract_from_args(
            argparse.Namespace(contract=self.contract, mapping=self.mapping)
        )


@dataclass
class Live:
    """Changes that open pages should follow: bumped on every --dev rebuild."""

    generation: int = 0

    def bump(self) -> None:
        self.generation += 1


@dataclass
class AppConfig:
    """What one server run is made of."""

    port: int
    contract: Contract
    secrets: Secrets = field(default_factory=Secrets)
    lang: str = "en"
    guide: Guide | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    live: Live = field(default_factory=Live)
    dev: bool = False  # --dev: templates, contract and guide sources are followed
    files: ContractFiles = field(default_factory=ContractFiles)


def create_app(config: AppConfig) -> Starlette:
    """Return the app for one run; its exports are wiped when it shuts down."""
    sessions = Sessions(config.contract, guide=config.guide is not None, dev=config.dev)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sessions.shutdown()

    def csp_for(path: str) -> str:
        if config.guide is not None and (path == "/guide" or path.startswith("/guide/")):
            return config.guide.csp
        return VIEWER_CSP

    def generation(session: Session) -> int:
        return session.generation + config.live.generation

    guard = Middleware(
        Guard,
        port=config.port,
        secrets=config.secrets,
        max_upload=config.max_upload,
        csp_for=csp_for,
    )
    app = Starlette(
        routes=routes(config.guide.root if config.guide else None),
        middleware=[guard],
        exception_handlers={NotReady: not_ready},
        lifespan=lifespan,
    )
    app.state.sessions = sessions
    app.state.stopping = sessions.stopping
    app.state.secrets = config.secrets
    app.state.lang = config.lang
    app.state.guide = config.guide is not None
    app.state.max_upload = config.max_upload
    app.state.generation = generation
    app.state.config = config
    return app
