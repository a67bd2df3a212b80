"""``gyrfalcon.fly_approach`` and the port's occupant (user audit): the default start is Soyuz
MS-28's braking point on 27 Nov 2025, when Soyuz MS-27 held Prichal nadir and Progress MS-31
Poisk zenith (built-in record); MS-28's own port, Rassvet nadir, is free for it."""
from __future__ import annotations

import pytest

import gyrfalcon as gf
from gyrfalcon.station.catalog import PortNotAvailableError
from gyrfalcon.traffic.flight_rules import WhatIfRequiredError


def test_fly_approach_refuses_an_occupied_port():
    with pytest.raises(WhatIfRequiredError, match="poisk-zenith is occupied by Progress MS-31.*then: rassvet-nadir;"):
        gf.fly_approach(port="poisk-zenith")
    # a Progress is not MS-28: at its contact MS-28 holds Rassvet, so no port is free for it
    with pytest.raises(WhatIfRequiredError, match="arrival of progress-ms \\(planned\\) at poisk-zenith .*"
                                                  "free ports that take progress-ms then: none;"):
        gf.fly_approach(port="poisk-zenith", vehicle="progress-ms")


def test_fly_approach_what_if_flies_and_says_so():
    res = gf.fly_approach(port="prichal-nadir", what_if=True)
    assert res.verdict == "captured" and res.what_if is True
    (note,) = res.notes
    assert note.startswith("what-if: breaks rule one-vehicle-per-port") and "Soyuz MS-27" in note
    assert res.summary()["what_if"] is True and res.summary()["notes"] == [note]
    assert "WHAT-IF" in repr(res) and res.table().startswith("WHAT-IF") and "note: what-if" in res.table()
    assert isinstance(res, gf.api.ApproachResult)


def test_fly_approach_to_ms28s_port_is_no_what_if():
    res = gf.fly_approach()
    assert res.verdict == "captured" and res.what_if is False and res.notes == ()
    with pytest.raises(gf.GyrfalconError, match="what_if must be True or False"):
        gf.fly_approach(what_if=1)


def test_fly_approach_to_a_past_port_names_free_and_occupied_ports():
    with pytest.raises(PortNotAvailableError, match="free ports that take soyuz-ms on 2025-11-27T12:07:55Z: "
                                                    "rassvet-nadir; occupied then .*prichal-nadir \\(Soyuz MS-27\\)"):
        gf.fly_approach(port="pirs-nadir", what_if=True)
