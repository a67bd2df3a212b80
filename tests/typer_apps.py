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
