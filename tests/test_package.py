"""Package-level promises: the README's two commands, a light import, the CLI's error contract."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```(?:bash|sh)\n(.+?)\n```", block, flags=re.M | re.S)


def test_readme_has_exactly_two_one_line_commands_and_ci_runs_the_second():
    cmds = _readme_commands()
    assert len(cmds) == 2, cmds
    assert all("\n" not in c for c in cmds)
    assert "gyrfalcon run" in cmds[0]
    assert "pytest" in cmds[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert cmds[1].strip() in ci


def test_import_is_light():
    # import gyrfalcon must not pull heavy dependencies (its time, < 0.3 s, is measured in
    # bench/bench_checks.py: no wall-clock assertion in tests)
    code = (
        "import sys; import gyrfalcon; "
        "heavy = [m for m in ('heyoka', 'skyfield', 'scipy', 'sgp4', 'matplotlib', 'typer') if m in sys.modules]; "
        "print('ok', ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "ok"
    assert len(out) == 1, f"import gyrfalcon pulled in {out[1]}"


def test_no_module_imports_the_cli_or_reaches_the_network():
    src = ROOT / "src" / "gyrfalcon"
    for path in src.rglob("*.py"):
        rel = path.relative_to(src)
        text = path.read_text()
        if rel.parts[0] not in ("cli",):
            assert "gyrfalcon.cli" not in text and "from ..cli" not in text and "from .cli" not in text, rel
        assert not re.search(r"urlopen|requests\.(get|post)|httpx\.(get|post)|fetch_latest", text), rel
