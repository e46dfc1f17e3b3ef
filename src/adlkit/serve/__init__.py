"""``adlkit serve``: the local web app (Starlette, served by uvicorn) over the solver, the checker
and the exports. :func:`create_app` builds it; :mod:`.pool` runs the solving in worker processes."""

from __future__ import annotations

from adlkit.serve.app import MAX_BODY, create_app

__all__ = ["MAX_BODY", "create_app"]
