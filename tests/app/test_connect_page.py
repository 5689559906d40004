"""The Connect page: secrets typed in go to the token store and nowhere else; the Xero sign-in finishes
on the redirect back; CRM exports upload with their errors named by file, row and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

import pages._common as common
from tests.app.conftest import follow, new_app, page_problems, rendered_text, session_dump
from tests.importers.factories import DEALS, export_files, write_csv
from workbench.connections import CrmConnection, XeroConnection
from workbench.sandbox import credentials
from workbench.sandbox.app import Sandbox
from workbench.store import Engagement
from workbench.tokens import TokenStore

CONNECT = "pages/connect.py"
PIPEDRIVE_TOKEN = "pd-token-0123456789abcdef0123456789abcdef"
HUBSPOT_TOKEN = "pat-eu1-01234567-89ab-cdef-0123-456789abcdef"


def _on_connect(app: Callable[[], AppTest]) -> AppTest:
    at = app().run()
    return at.switch_page(CONNECT).run()


def _secret_is_nowhere(at: AppTest, secret: str) -> None:
    assert secret not in session_dump(at)
    assert secret not in rendered_text(at)
    assert all(secret not in str(v) for v in at.session_state.to_dict().values())


def test_a_custom_connection_is_checked_and_saved_but_its_secret_is_kept_nowhere_else(
    app: Callable[[], AppTest], sandbox_services: Sandbox
) -> None:
    secret = credentials.XERO_CLIENT_SECRET
    at = _on_connect(app)
    at.text_input(key="custom_client_id").input(credentials.XERO_CLIENT_ID)
    at.text_input(key="custom_client_secret").input(secret)
    at.button(key="custom_submit").click().run()
    assert page_problems(at) == []
    assert any("custom connection checked and saved as 'xero-custom'" in s.value for s in at.success)
    assert at.session_state[common.XERO] == XeroConnection(kind="custom", name="xero-custom")
    saved = TokenStore().load("xero-custom")
    assert saved is not None and saved.extra["client_secret"] == secret
    _secret_is_nowhere(at, secret)
    at.switch_page("pages/pull.py").run()  # and after moving on
    _secret_is_nowhere(at, secret)
    assert any("Xero: custom connection 'xero-custom'" in c.value for c in at.caption)


def test_a_refused_secret_is_a_message_with_what_to_do(
    app: Callable[[], AppTest], sandbox_services: Sandbox
) -> None:
    wrong = "not-the-secret-0123456789abcdefghijkl"
    at = _on_connect(app)
    at.text_input(key="custom_client_id").input(credentials.XERO_CLIENT_ID)
    at.text_input(key="custom_client_secret").input(wrong)
    at.button(key="custom_submit").click().run()
    assert not at.exception
    assert any("refused the custom connection" in e.value and "What to do" in e.value for e in at.error)
    assert TokenStore().load("xero-custom") is None
    assert at.session_state[common.XERO] == XeroConnection()
    _secret_is_nowhere(at, wrong)


def test_a_pipedrive_token_is_saved_and_becomes_the_crm(app: Callable[[], AppTest]) -> None:
    at = _on_connect(app)
    at.text_input(key="pipedrive_api_token").input(PIPEDRIVE_TOKEN)
    at.text_input(key="pipedrive_domain").input("acme")
    at.button(key="pipedrive_submit").click().run()
    assert page_problems(at) == []
    crm = at.session_state[common.CRM]
    assert (crm.kind, crm.name, crm.company_domain) == ("pipedrive-token", "pipedrive", "acme")
    saved = TokenStore().load("pipedrive")
    assert saved is not None and saved.access_token == PIPEDRIVE_TOKEN
    _secret_is_nowhere(at, PIPEDRIVE_TOKEN)


def test_a_pipedrive_token_without_its_domain_is_refused(app: Callable[[], AppTest]) -> None:
    at = _on_connect(app)
    at.text_input(key="pipedrive_api_token").input(PIPEDRIVE_TOKEN)
    at.button(key="pipedrive_submit").click().run()
    assert any("needs the company domain" in e.value for e in at.error)
    assert TokenStore().load("pipedrive") is None
    _secret_is_nowhere(at, PIPEDRIVE_TOKEN)


def test_a_hubspot_private_app_token_is_saved_and_becomes_the_crm(app: Callable[[], AppTest]) -> None:
    at = _on_connect(app)
    at.text_input(key="hubspot_private_app_token").input(HUBSPOT_TOKEN)
    at.text_input(key="hubspot_name").input("acme-hubspot")
    at.button(key="hubspot_submit").click().run()
    assert page_problems(at) == []
    assert at.session_state[common.CRM] == CrmConnection(kind="hubspot-token", name="acme-hubspot")
    saved = TokenStore().load("acme-hubspot")
    assert saved is not None and saved.access_token == HUBSPOT_TOKEN
    _secret_is_nowhere(at, HUBSPOT_TOKEN)
    assert any("CRM: HubSpot private-app token 'acme-hubspot'" in c.value for c in at.caption)
    # and it is offered among the saved connections, to pick again later
    at.session_state[common.CRM] = CrmConnection()
    at.run()
    at.selectbox(key="crm_saved").select_index(0).run()
    at.button(key="crm_use_saved").click().run()
    assert at.session_state[common.CRM] == CrmConnection(kind="hubspot-token", name="acme-hubspot")


def test_an_empty_hubspot_token_is_refused_with_where_to_find_one(app: Callable[[], AppTest]) -> None:
    at = _on_connect(app)
    at.button(key="hubspot_submit").click().run()
    assert any("no HubSpot private-app token" in e.value and "Private apps" in e.value for e in at.error)
    assert TokenStore().load("hubspot") is None
    assert at.session_state[common.CRM] == CrmConnection()


def test_the_sandbox_can_keep_its_crm_in_hubspot(app: Callable[[], AppTest]) -> None:
    at = _on_connect(app)
    at.radio(key="sandbox_crm").set_value("HubSpot")
    at.button(key="use_sandbox").click().run()
    assert page_problems(at) == []
    assert at.session_state[common.CRM] == CrmConnection(kind="hubspot-sandbox")
    assert any("CRM: sandbox (HubSpot)" in c.value for c in at.caption)
    at.radio(key="sandbox_crm").set_value("Pipedrive")
    at.button(key="use_sandbox").click().run()
    assert at.session_state[common.CRM] == CrmConnection()


def test_the_xero_sign_in_finishes_on_the_redirect_back_in_a_new_session(
    app: Callable[[], AppTest], sandbox_services: Sandbox
) -> None:
    at = _on_connect(app)
    at.text_input(key="oauth_client_id").input(credentials.XERO_PKCE_CLIENT_ID)
    at.button(key="oauth_start").click().run()
    assert page_problems(at) == []
    url = at.get("link_button")[0].proto.url
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == ["http://localhost:8501/"]
    back = follow(sandbox_services, url)  # the browser: Xero's consent, then the redirect

    returned = new_app()  # the redirect reloads the app: a new session
    returned.query_params = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    returned.run()
    assert page_problems(returned) == []
    assert returned.title[0].value == "Connect"
    assert any("Connected Xero organisation" in s.value for s in returned.success)
    assert returned.session_state[common.XERO] == XeroConnection(kind="oauth", name="xero")
    assert returned.session_state[common.ENGAGEMENT] == "demo"
    assert "code" not in returned.query_params and "state" not in returned.query_params
    token = TokenStore().load("xero")
    assert token is not None and token.tenant_id == sandbox_services.client.xero.tenant_id
    assert token.access_token not in session_dump(returned) + rendered_text(returned)


def test_a_redirect_the_app_did_not_start_is_refused(isolated_environment: Path) -> None:
    at = new_app()
    at.session_state[common.DEMO_CHECKED] = True  # no first-start pull: this test is about the redirect
    at.query_params = {"code": "stolen-code", "state": "someone-elses-state"}
    at.run()
    assert not at.exception
    assert any("not one the app is waiting for" in e.value for e in at.error)
    assert TokenStore().load("xero") is None


def test_crm_exports_upload_into_the_engagement(app: Callable[[], AppTest], tmp_path: Path) -> None:
    files = export_files(tmp_path)
    at = _on_connect(app)
    at.file_uploader(key="crm_exports").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in files.values()]
    ).run()
    at.button(key="import_button").click().run()
    assert page_problems(at) == []
    assert any("Imported as snapshot" in s.value and "organisations 2" in s.value for s in at.success)
    assert at.session_state[common.CRM_FILES] is True
    with Engagement.open("demo", create=False) as engagement:
        assert engagement.latest_snapshot("pipedrive-export") is not None


def test_a_bad_export_is_named_by_file_row_and_column_and_nothing_is_saved(
    app: Callable[[], AppTest], tmp_path: Path
) -> None:
    files = export_files(tmp_path)
    bad = [list(DEALS[0]), [*DEALS[1][:2], "lots", *DEALS[1][3:]]]
    files["deals"] = write_csv(tmp_path / "deals.csv", bad)
    at = _on_connect(app)
    at.file_uploader(key="crm_exports").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in files.values()]
    ).run()
    at.button(key="import_button").click().run()
    assert not at.exception
    assert any(e.value.startswith("Nothing was imported") for e in at.error)
    where = at.dataframe[-1].value.iloc[0]
    assert (where["file"], where["row"], where["column"]) == ("deals.csv", 2, "Deal - Value")
    assert "workbench-upload-" not in rendered_text(at)
    with Engagement.open("demo", create=False) as engagement:
        assert engagement.latest_snapshot("pipedrive-export") is None
