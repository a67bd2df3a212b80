"""``approach``, ``landing`` and ``rendezvous`` against who is docked where (user audit).

The built-in record (``gyrfalcon traffic show --builtin --date 2025-11-27``): Soyuz MS-28 docks at
Rassvet nadir on 27 Nov 2025 12:34:35 UTC; Soyuz MS-27 is at Prichal nadir (until 9 Dec 2025
01:41 UTC), Progress MS-31 at Poisk zenith, Progress MS-32 at Zvezda aft; Pirs was undocked on
26 Jul 2021.

Before: ``approach --port prichal-nadir`` (and ``--port zvezda-aft``) captured there without a
word; ``landing --undock 2025-12-01T03:00Z --port zvezda-aft`` (and ``poisk-zenith``) undocked a
Soyuz from a Progress's port; ``rendezvous --port pirs-nadir`` offered prichal-nadir, poisk-zenith
and zvezda-aft as the ports then, each refused next as occupied.
"""
from __future__ import annotations

import json

from typer.testing import CliRunner

from gyrfalcon.cli.app import app

from tests.typer_apps import one_line_exit_2

runner = CliRunner()


# --- approach -------------------------------------------------------------------------------------
def test_an_approach_to_an_occupied_port_is_refused_naming_the_occupant_and_the_free_port():
    for port, occupant in (("prichal-nadir", "Soyuz MS-27"), ("zvezda-aft", "Progress MS-32")):
        res = runner.invoke(app, ["approach", "--port", port])
        one_line_exit_2(res, "one-vehicle-per-port", f"port {port} is occupied by {occupant}",
                        "free ports that take soyuz-ms then: rassvet-nadir", "--what-if")
        assert res.stdout == ""


def test_an_approach_what_if_flies_and_says_so_in_text_and_json():
    res = runner.invoke(app, ["approach", "--port", "Prichal-Nadir", "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["verdict"] == "captured" and d["what_if"] is True
    assert len(d["notes"]) == 1 and d["notes"][0].startswith("what-if: breaks rule one-vehicle-per-port")
    assert "Soyuz MS-27" in d["notes"][0]
    text = runner.invoke(app, ["approach", "--port", "prichal-nadir", "--what-if"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].startswith("WHAT-IF: flown as asked") and "[bold" not in text.stdout
    assert any(x.startswith("note: what-if: breaks rule one-vehicle-per-port") for x in lines)


def test_the_default_approach_is_ms28_to_its_own_port_and_not_a_what_if():
    """The refusal's suggestion, Rassvet nadir, is the default and flies: Soyuz MS-28's own port."""
    res = runner.invoke(app, ["approach", "--port", "rassvet-nadir", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["verdict"] == "captured" and d["what_if"] is False and d["notes"] == []


def test_an_approach_to_a_past_port_names_the_free_and_the_occupied_ports():
    for extra in ([], ["--what-if"]):           # not a port then: no what-if flies it
        err = one_line_exit_2(runner.invoke(app, ["approach", "--port", "pirs-nadir", *extra]),
                              "pirs-nadir was a port only until 2021-07-26",
                              "free ports that take soyuz-ms on 2025-11-27T12:07:55Z: rassvet-nadir;",
                              "occupied then (built-in record): prichal-nadir (Soyuz MS-27), "
                              "poisk-zenith (Progress MS-31), zvezda-aft (Progress MS-32)")
        assert "rassvet-nadir, prichal-nadir" not in err


# --- rendezvous -----------------------------------------------------------------------------------
def test_a_rendezvous_to_a_past_port_offers_only_the_free_port_as_free():
    err = one_line_exit_2(runner.invoke(app, ["rendezvous", "--port", "pirs-nadir"]),
                          "pirs-nadir was a port only until 2021-07-26",
                          "free ports that take soyuz-ms on 2025-11-27T11:56:45Z: rassvet-nadir;",
                          "occupied then (built-in record): prichal-nadir (Soyuz MS-27)")
    assert "ports for soyuz-ms then: rassvet-nadir, prichal-nadir" not in err
    # and the port it names occupied is indeed refused as occupied
    one_line_exit_2(runner.invoke(app, ["rendezvous", "--port", "prichal-nadir"]),
                    "occupied by Soyuz MS-27")


# --- landing --------------------------------------------------------------------------------------
UNDOCK = "2025-12-01T03:00Z"


def test_an_undocking_from_a_progress_port_is_refused_naming_the_soyuz_ports():
    for port, occupant in (("zvezda-aft", "Progress MS-32"), ("poisk-zenith", "Progress MS-31")):
        res = runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", port])
        one_line_exit_2(res, "vehicle-sequence", f"{port} holds {occupant} (progress-ms) then, not a Soyuz MS",
                        "a Soyuz MS is docked then at: rassvet-nadir (Soyuz MS-28), prichal-nadir (Soyuz MS-27)",
                        "--what-if")
        assert res.stdout == ""


def test_an_undocking_from_a_port_left_empty_is_refused():
    """MS-27 left Prichal on 9 Dec 2025 01:41 UTC: on the 10th only MS-28 is docked, at Rassvet."""
    one_line_exit_2(runner.invoke(app, ["landing", "--undock", "2025-12-10T03:00Z", "--port", "prichal-nadir"]),
                    "no vehicle is docked at prichal-nadir then",
                    "a Soyuz MS is docked then at: rassvet-nadir (Soyuz MS-28);")


def test_an_undocking_in_the_plans_time_is_flown_with_the_plans_word_as_a_note():
    """Review: from the 2026 plan's first event (15 Dec 2025) who is docked where is the plan's word,
    a plan, not a record: a port with no Soyuz then is flown, not refused, and the result says what
    the plan has there. Before: `landing --undock 2026-03-15T03:00Z --port prichal-nadir` exited 2 on
    rule vehicle-sequence; now the rule lets it through and only the station data stops it (the
    packaged ephemeris ends on 9 Dec 2025; no data for March 2026 ships with the tests)."""
    err = one_line_exit_2(runner.invoke(app, ["landing", "--undock", "2026-03-15T03:00Z", "--port", "prichal-nadir"]),
                          "2026-03-15T03:00:00Z is outside it")
    assert "vehicle-sequence" not in err and "--what-if" not in err
    # a date the packaged ephemeris reaches (extended): flown, not a what-if, with the plan's note
    res = runner.invoke(app, ["landing", "--undock", "2025-12-20T03:00Z", "--port", "prichal-nadir", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["port"] == "prichal-nadir" and d["what_if"] is False
    assert d["notes"] == ["manifest: the 2026 plan (made 2025-11-27, a plan, not a record: not held against this "
                          "undocking): no vehicle is docked at prichal-nadir on 2025-12-20T03:00:00Z; a Soyuz MS is "
                          "docked then at: rassvet-nadir (Soyuz MS-28)"]


def test_an_undocking_from_a_soyuz_port_flies_and_the_default_port_still_works():
    res = runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", "rassvet-nadir", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["port"] == "rassvet-nadir" and d["what_if"] is False and d["notes"] == []
    res = runner.invoke(app, ["landing", "--undock", UNDOCK, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["port"] == "prichal-nadir" and d["what_if"] is False and d["notes"] == []    # MS-27, docked first


def test_an_undocking_what_if_flies_and_says_so():
    res = runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", "zvezda-aft", "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["port"] == "zvezda-aft" and d["what_if"] is True
    assert len(d["notes"]) == 1 and d["notes"][0].startswith("what-if: breaks rule vehicle-sequence")
    assert "Progress MS-32" in d["notes"][0]
    text = runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", "zvezda-aft", "--what-if"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0].startswith("WHAT-IF: flown as asked")
    assert "note: what-if: breaks rule vehicle-sequence" in text.stdout


def test_an_undocking_from_a_past_or_foreign_port_names_where_a_soyuz_is_docked():
    one_line_exit_2(runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", "pirs-nadir"]),
                    "pirs-nadir was a port only until 2021-07-26",
                    "a Soyuz MS is docked on 2025-12-01T03:00:00Z at: rassvet-nadir (Soyuz MS-28), "
                    "prichal-nadir (Soyuz MS-27)")
    err = one_line_exit_2(runner.invoke(app, ["landing", "--undock", UNDOCK, "--port", "harmony-forward"]),
                          "cannot use harmony-forward",
                          "ports that take it: rassvet-nadir (Soyuz MS-28), prichal-nadir (Soyuz MS-27)")
    assert "zvezda-aft" not in err


def test_what_if_is_for_a_return_not_a_day_listing():
    one_line_exit_2(runner.invoke(app, ["landing", "--date", "2025-12-07", "--what-if"]),
                    "--what-if applies to a return", "--undock")
