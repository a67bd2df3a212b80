"""``gyrfalcon serve``: the web viewer and JSON API (FastAPI on uvicorn), loopback by default."""
from __future__ import annotations

from pathlib import Path

import typer

from .checks import esc
from .common import console, handle_errors

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
        port: int = typer.Option(8765, "--port", min=1, max=65535, help="TCP port."),
        out: Path = typer.Option(Path("gyrfalcon-out"), "--out",
                                 help="Directory of run directories (as written by 'gyrfalcon run --out DIR/NAME')."),
        db: str = typer.Option(None, "--db", help="Manifest database (file path or SQLAlchemy URL; default: the "
                                                  "user's manifest.sqlite, created with the built-in manifest)."),
        token_file: Path = typer.Option(None, "--token-file",
                                        help="Write-token file (default: web-token in the user's data directory)."),
    ):
        """Serve the viewer (CesiumJS, offline) and the JSON API; writes need the bearer token printed on first start."""
        check_serve_inputs(host, port, out)
        if db is not None and ("://" in db or Path(db).expanduser().exists()):
            from .traffic import _store

            with _store(db):    # an existing --db opened once before listening: a bad one is refused here
                pass
        elif db is not None and not Path(db).expanduser().parent.is_dir():
            from ..errors import InputError     # refused now, not on every manifest request once listening

            raise InputError(f"--db {db}: no folder {Path(db).expanduser().parent} for the manifest database; "
                             "create the folder or give a path in an existing one")
        import uvicorn

        from ..web.app import WebConfig, create_app
        from ..web.security import default_token_path, load_or_create_token

        tpath = token_file or default_token_path()
        token, created = load_or_create_token(tpath)
        hosts = ("127.0.0.1", "localhost", "[::1]", "::1")
        if host not in LOOPBACK:
            console().print(f"[yellow]warning:[/] listening on {esc(host)}, not loopback: anyone who can reach it can "
                            "read the runs and the manifest (writes still need the token)", markup=True)
            hosts = (*hosts, host if ":" not in host else f"[{host}]", "*" if host in ("0.0.0.0", "::") else host)
        app = create_app(WebConfig(out_dir=out, token=token, db=db, allowed_hosts=hosts))
        if created:
            console().print(f"write token (shown once, stored in {tpath} with mode 0600):\n  {token}")
        else:
            console().print(f"write token: in {tpath}")
        shown = f"[{host}]" if ":" in host else host
        console().print(f"Gyrfalcon viewer: http://{shown}:{port}/   API: http://{shown}:{port}/docs")
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def check_serve_inputs(host: str, port: int, out: Path) -> None:
    """Before the server starts: --out is a folder (or missing), --host resolves, --port is free."""
    import socket

    from ..errors import InputError

    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give the folder of run folders (e.g. gyrfalcon-out)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise InputError(f"--host {host!r} is not an address of this machine ({exc}); give e.g. 127.0.0.1") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); give another --port or "
                             "--host") from None
