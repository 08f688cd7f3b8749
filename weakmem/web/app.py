"""The web page and its JSON API (Starlette, served by uvicorn).

    GET  /                 the page (static HTML + a little JavaScript)
    GET  /api/examples     the bundled examples: [{"name", "group"}]
    GET  /api/example?name=N   one example's text
    GET  /api/models       the built-in models
    GET  /api/status       running / queued / done requests
    POST /api/check        {"test", "model"?, "cat"?}  -> run's JSON (+ explanation, SVG)
    POST /api/matrix       {"test", "targets"?}        -> matrix's JSON
    POST /api/fix          {"test", "model"?}          -> fix's JSON

Every POST runs in a killable worker process (weakmem.web.pool) with a time
and memory limit; bodies over the size limit are refused (413); when the
queue is full the answer is 503 with a reason.  No request names a file.
"""
from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from weakmem.paths import EXAMPLES_DIR
from weakmem.web.pool import Busy, JobPool, Limits

STATIC = Path(__file__).parent / "static"
EXAMPLES = EXAMPLES_DIR


def example_files() -> dict[str, Path]:
    """name -> file, for the bundled examples (a checkout's examples/)."""
    out: dict[str, Path] = {}
    if EXAMPLES.is_dir():
        for p in sorted(EXAMPLES.rglob("*.litmus")):
            rel = p.relative_to(EXAMPLES).as_posix()
            out[rel] = p
    return out


def create_app(limits: Limits | None = None) -> Starlette:
    pool = JobPool(limits)
    lim = pool.limits
    examples = example_files()

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def api_examples(request: Request) -> Response:
        items = [{"name": n, "group": n.split("/")[0] if "/" in n else "examples"} for n in examples]
        return JSONResponse(items)

    async def api_example(request: Request) -> Response:
        name = request.query_params.get("name", "")
        p = examples.get(name)          # only names from the list: never a path
        if p is None:
            return JSONResponse({"error": f"no example named '{name[:80]}'"}, status_code=404)
        return JSONResponse({"name": name, "text": p.read_text(encoding="utf-8", errors="replace")})

    async def api_models(request: Request) -> Response:
        from weakmem.models_info import builtin_model_infos
        from weakmem.matrix.command import TARGET_IDS
        return JSONResponse({"models": [{"name": i.name, "title": i.title} for i in builtin_model_infos()],
                             "targets": list(TARGET_IDS)})

    async def api_status(request: Request) -> Response:
        return JSONResponse(pool.status())

    def job_endpoint(job: str):
        async def handler(request: Request) -> Response:
            body = await request.body()
            if len(body) > 2 * lim.max_bytes + 4096:
                return JSONResponse({"error": f"request too large (limit {lim.max_bytes // 1024} KB of test "
                                              f"and {lim.max_bytes // 1024} KB of model)"}, status_code=413)
            try:
                payload = json.loads(body or b"{}")
            except ValueError as e:
                return JSONResponse({"error": f"error: body is not JSON: {str(e)[:120]}"}, status_code=400)
            if not isinstance(payload, dict):
                return JSONResponse({"error": "error: body must be a JSON object"}, status_code=400)
            for k in ("test", "cat"):
                v = payload.get(k)
                if isinstance(v, str) and len(v.encode()) > lim.max_bytes:
                    return JSONResponse({"error": f"error: '{k}' is larger than {lim.max_bytes // 1024} KB"},
                                        status_code=413)
            try:
                out = await pool.run(job, payload)
            except Busy as e:
                return JSONResponse({"error": f"busy: {e}"}, status_code=503)
            status = 422 if "error" in out else 200
            return JSONResponse(out, status_code=status)
        return handler

    routes = [
        Route("/", page),
        Route("/api/examples", api_examples),
        Route("/api/example", api_example),
        Route("/api/models", api_models),
        Route("/api/status", api_status),
        Route("/api/check", job_endpoint("check"), methods=["POST"]),
        Route("/api/matrix", job_endpoint("matrix"), methods=["POST"]),
        Route("/api/fix", job_endpoint("fix"), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.pool = pool
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None) -> None:
    import uvicorn
    uvicorn.run(create_app(limits), host=host, port=port, log_level="warning")
