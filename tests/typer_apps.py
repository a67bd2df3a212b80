"""One CLI command mounted on a fresh typer app, for tests of that command alone."""
import typer


def app_with(register) -> typer.Typer:
    """A typer app with a root callback and the commands ``register(app)`` adds (a command
    module's ``register``), as ``gyrfalcon.cli.app`` mounts them."""
    a = typer.Typer()

    @a.callback()
    def _root():
        """test root"""

    register(a)
    return a


def one_line_exit_2(res, *needles):
    """Assert a CLI result is a refusal: exit code 2, one line on stderr holding every needle, no
    traceback; returns that line."""
    assert res.exit_code == 2, (res.exit_code, res.output)
    err = res.stderr.strip()
    assert "Traceback" not in res.output and len(err.splitlines()) == 1, err
    for n in needles:
        assert n in err, (n, err)
    return err
