"""Fixtures of the traffic tests: the ``traffic`` commands on their own typer app, and a
manifest database initialised through them."""
import pytest
from typer.testing import CliRunner

from gyrfalcon.cli import traffic as traffic_cli

from ..typer_apps import app_with


@pytest.fixture(scope="module")
def app():
    """A fresh typer app with only ``gyrfalcon traffic`` registered."""
    return app_with(traffic_cli.register)


@pytest.fixture()
def db(app, tmp_path):
    """A new SQLite manifest (``traffic init --db``: the built-in late-2025 manifest)."""
    path = str(tmp_path / "m.sqlite")
    res = CliRunner().invoke(app, ["traffic", "init", "--db", path])
    assert res.exit_code == 0, res.output
    return path
