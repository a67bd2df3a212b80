"""``gyrfalcon traffic``: occupancy, edits (refused ones: one red line, exit 2, nothing written),
check, Gantt, what-if. The command is mounted on a fresh typer app (the lead registers it in app.py).

References: domain.md 4.1 (occupants on 1 Dec 2025), 7.2 (Progress MS-33 planned 21 Dec 2025,
pad restored 3 Mar 2026), seed 000 (NG-23 held on the arm for the MS-28 arrival).
"""
import json
import sqlite3

from typer.testing import CliRunner

runner = CliRunner()
DOMAIN_41 = {"rassvet-nadir": "Soyuz MS-28", "prichal-nadir": "Soyuz MS-27", "poisk-zenith": "Progress MS-31",
             "zvezda-aft": "Progress MS-32", "harmony-forward": "CRS-33 Dragon",
             "harmony-zenith": "Crew-11 Dragon Endeavour", "harmony-nadir": "HTV-X1", "unity-nadir": "Cygnus NG-23"}


def count(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0], con.execute(
            "SELECT group_concat(t_utc || kind || vehicle, '|') FROM events").fetchone()[0]
    finally:
        con.close()


def refused(res):
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("error:") and "\n" not in err  # one line
    return err


def test_show_json_builtin_and_db(app, db):
    for args in (["--builtin"], ["--db", db]):
        res = runner.invoke(app, ["traffic", "show", "--date", "2025-12-01", "--json", *args])
        assert res.exit_code == 0, res.output
        d = json.loads(res.stdout)
        assert d["ports"] == DOMAIN_41 and d["occupied_count"] == 8
        assert [m["kind"] for m in d["milestones"]] == ["all-ports-occupied"]
        assert d["vehicle_types"]["Soyuz MS-28"] == "soyuz-ms"
    res = runner.invoke(app, ["traffic", "show", "--date", "2025-11-27", "--db", db])
    assert res.exit_code == 0 and "Cygnus NG-23" in res.stdout  # on the arm that day


def test_default_db_is_the_user_data_dir(app, tmp_path, monkeypatch):
    monkeypatch.setenv("GYRFALCON_DATA_DIR", str(tmp_path / "data"))
    res = runner.invoke(app, ["traffic", "init"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "data" / "manifest.sqlite").is_file()
    assert count(str(tmp_path / "data" / "manifest.sqlite"))[0] == 19


def test_add_refused_writes_nothing(app, db):
    before = count(db)
    # Progress MS-33 as planned (21 Dec 2025): Site 31/6 damaged (domain.md 7.2)
    err = refused(runner.invoke(app, ["traffic", "add", "launch", "2025-12-21T09:00Z", "Progress MS-33",
                                      "--pad", "baikonur-31", "--type", "progress-ms", "--db", db]))
    assert "pad-operational" in err and "2026-03-03" in err
    # Poisk zenith held by Progress MS-31 (domain.md 4.1)
    err = refused(runner.invoke(app, ["traffic", "add", "arrival", "2025-12-23", "Progress MS-33",
                                      "--port", "poisk-zenith", "--type", "progress-ms", "--db", db]))
    assert "occupied by Progress MS-31" in err
    refused(runner.invoke(app, ["traffic", "add", "teleport", "2025-12-23", "X", "--db", db]))
    # a mistyped pad is named first (it used to be the missing --type), and the missing type names --type
    err = refused(runner.invoke(app, ["traffic", "add", "launch", "2026-08-01", "Progress MS-99", "--pad",
                                      "baikonur31", "--db", db]))
    assert "unknown launch site or pad 'baikonur31'" in err and "baikonur-31" in err
    err = refused(runner.invoke(app, ["traffic", "add", "launch", "2026-08-01", "Progress MS-99", "--pad",
                                      "baikonur-31", "--db", db]))
    assert "not in the manifest yet" in err and "--type" in err and "progress-ms" in err
    assert count(db) == before


def test_add_move_remove_and_check(app, db):
    res = runner.invoke(app, ["traffic", "add", "launch", "2026-03-22T11:59:49Z", "Progress MS-33",
                              "--pad", "baikonur-31", "--type", "progress-ms", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["traffic", "add", "arrival", "2026-03-24T13:35:23Z", "Progress MS-33",
                              "--port", "prichal-nadir", "--db", db])
    assert res.exit_code == 0, res.output
    evs = json.loads(runner.invoke(app, ["traffic", "events", "--json", "--db", db]).stdout)
    launch = next(e for e in evs if e["vehicle"] == "Progress MS-33" and e["kind"] == "launch")
    before = count(db)
    # moving the launch into the outage is refused, and so is moving it after its own arrival
    refused(runner.invoke(app, ["traffic", "move", str(launch["id"]), "--to", "2026-02-01", "--db", db]))
    err = refused(runner.invoke(app, ["traffic", "move", str(launch["id"]), "--to", "2026-03-25", "--db", db]))
    assert "arrival-after-launch" in err
    assert count(db) == before
    res = runner.invoke(app, ["traffic", "move", str(launch["id"]), "--to", "2026-03-21T12:00Z", "--db", db])
    assert res.exit_code == 0, res.output
    evs = json.loads(runner.invoke(app, ["traffic", "events", "--json", "--db", db]).stdout)
    assert next(e for e in evs if e["id"] == launch["id"])["t_utc"] == "2026-03-21T12:00:00.000Z"
    # removing the arm hold would block the MS-28 arrival (corridor): refused
    hold = next(e for e in evs if e["kind"] == "hold")
    before = count(db)
    err = refused(runner.invoke(app, ["traffic", "remove", str(hold["id"]), "--db", db]))
    assert "corridor-clearance" in err
    assert count(db) == before
    refused(runner.invoke(app, ["traffic", "remove", "999", "--db", db]))
    res = runner.invoke(app, ["traffic", "check", "--db", db])
    assert res.exit_code == 0 and "ok: 21 events" in res.stdout


def test_missing_database_is_refused_not_created(app, tmp_path):
    missing = tmp_path / "nowhere" / "m.sqlite"
    for args in (["show", "--date", "2025-12-01"], ["check"], ["events"],
                 ["add", "arrival", "2030-01-01", "P", "--port", "zvezda-aft", "--type", "progress-ms"]):
        err = refused(runner.invoke(app, ["traffic", *args, "--db", str(missing)]))
        assert "traffic init" in err
    assert not missing.exists() and not missing.parent.exists()
    assert runner.invoke(app, ["traffic", "init", "--empty", "--db", str(missing)]).exit_code == 0
    assert count(str(missing))[0] == 0


def test_check_flags_a_broken_database(app, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 200)
    refused(runner.invoke(app, ["traffic", "check", "--db", str(junk)]))


def test_gantt(app, db, tmp_path):
    out = tmp_path / "occ.svg"
    res = runner.invoke(app, ["traffic", "gantt", "--out", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    assert "<svg" in out.read_text() and "Cygnus NG-23" in out.read_text()
    refused(runner.invoke(app, ["traffic", "gantt", "--out", str(tmp_path / "x.png"), "--db", db, "--builtin"]))


def test_whatif_table_json_and_gantt(app, tmp_path):
    png = tmp_path / "w.png"
    res = runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:2025-11-27..2026-03-03",
                              "--gantt", str(png)])
    assert res.exit_code == 0, res.output
    assert "Progress MS-33" in res.stdout and "2026-03-19" in res.stdout and png.stat().st_size > 10000
    res = runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:2025-11-27..2026-03-03", "--json",
                              "--turnaround-days", "19"])
    d = json.loads(res.stdout)
    ms33 = next(s for s in d["slips"] if s["vehicle"] == "Progress MS-33")
    assert ms33["replanned_utc"].startswith("2026-03-22")  # 3 Mar + 19 d: the real first launch (domain.md 7.2)
    refused(runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:2026-03-03..2025-11-27"]))
    # an outage that leaves Soyuz MS-28 over its stay limit: the last line does not read as an all-clear
    res = runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:2025-11-27..2026-06-01"])
    last = " ".join(res.stdout.split()[-40:])
    assert res.exit_code == 0 and "stays at risk: Soyuz MS-28" in last and "without a certified lifeboat seat" in last


def test_whatif_on_a_stored_manifest(app, db):
    """Stored events: launches within the outage move; the pad board is the catalogue as known before."""
    res = runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:2025-04-01..2025-05-01",
                              "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    ms27 = next(s for s in d["slips"] if s["vehicle"] == "Soyuz MS-27")
    assert ms27["replanned_utc"].startswith("2025-05-17")  # 1 May + 16 d


def test_audit_files_the_commands_did_not_create_stay_as_they_were(app, db, tmp_path):
    """Found by an audit, each changed or lost a file the tool did not create: a listing turned an
    empty file into a database; a refusal of a foreign SQLite file had switched it to WAL; the Gantt
    chart could be written over the manifest it was drawn from; an in-memory URL 'saved' nothing;
    an outage of 1900..9999 reported every launch 'unaffected'."""
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    assert "empty file" in refused(runner.invoke(app, ["traffic", "events", "--db", str(empty)]))
    assert empty.stat().st_size == 0
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE foo (a)")
    con.commit()
    con.close()
    before = foreign.read_bytes()
    assert "did not create (foo)" in refused(runner.invoke(app, ["traffic", "events", "--db", str(foreign)]))
    assert foreign.read_bytes() == before
    png_db = tmp_path / "m.png"
    png_db.write_bytes(open(db, "rb").read())
    err = refused(runner.invoke(app, ["traffic", "gantt", "--db", str(png_db), "--out", str(png_db), "--overwrite"]))
    assert "the file this command reads" in err and count(str(png_db))[0] == 19
    assert "in-memory" in refused(runner.invoke(app, ["traffic", "init", "--db", "sqlite:///"]))
    assert "give dates from 1998-11-20" in refused(
        runner.invoke(app, ["traffic", "whatif", "--pad-outage", "baikonur-31:1900-01-01..9999-12-31"]))


def test_audit_a_crew_change_without_names_says_how_to_give_them(app, db):
    err = refused(runner.invoke(app, ["traffic", "add", "crew_change", "2026-01-01", "Soyuz MS-28", "--crew", ",,,",
                                      "--db", db]))
    assert '--crew "A. Name,B. Name"' in err and count(db)[0] == 19
