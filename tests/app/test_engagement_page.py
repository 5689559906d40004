"""The engagement page: create an engagement, open it, purge it only with its name typed."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

import pages._common as common
from tests.app.conftest import page_problems
from workbench.store import Engagement


def test_the_demo_engagement_shows_its_snapshots_and_counts(app: Callable[[], AppTest]) -> None:
    at = app().run()
    assert page_problems(at) == []
    listing, counts = at.dataframe[0].value, at.dataframe[1].value
    assert set(listing["source"]) == {"xero", "pipedrive"}
    assert counts.loc["organisations", "pipedrive"] == 300
    assert counts.loc["invoices", "xero"] == 3000


def test_create_then_purge_an_engagement(app: Callable[[], AppTest]) -> None:
    at = app().run()
    at.text_input(key="engagement_new_name").input("acme-2026")
    at.button(key="engagement_create_submit").click().run()
    assert page_problems(at) == []
    assert "acme-2026" in Engagement.names()
    assert at.session_state[common.ENGAGEMENT] == "acme-2026"
    assert any("Created engagement 'acme-2026'" in s.value for s in at.success)

    at.text_input(key="purge_confirm").input("acme")  # not the name: nothing happens
    at.button(key="purge_button").click().run()
    assert any("does not match" in e.value for e in at.error)
    assert "acme-2026" in Engagement.names()

    at.text_input(key="purge_confirm").input("acme-2026")
    at.button(key="purge_button").click().run()
    assert "acme-2026" not in Engagement.names()
    assert Engagement.names() == ["demo"]
    assert at.session_state[common.ENGAGEMENT] == "demo"
    assert any("Purged engagement 'acme-2026'" in s.value for s in at.success)


def test_a_bad_name_is_a_message_not_an_exception(app: Callable[[], AppTest]) -> None:
    at = app().run()
    at.text_input(key="engagement_new_name").input("no spaces allowed")
    at.button(key="engagement_create_submit").click().run()
    assert not at.exception
    assert any("is not a usable engagement name" in e.value and "What to do" in e.value for e in at.error)
    assert Engagement.names() == ["demo"]


def test_switching_engagements_opens_the_other_one(app: Callable[[], AppTest]) -> None:
    with Engagement.open("bravo"):
        pass
    at = app().run()
    at.selectbox(key="engagement_pick").select("bravo").run()
    at.button(key="engagement_open").click().run()
    assert at.session_state[common.ENGAGEMENT] == "bravo"
    assert any("No data yet" in i.value for i in at.info)
