"""Connect: where the pull reads from. The sandbox (nothing to type; its CRM in Pipedrive or HubSpot), a
Xero custom connection, a Xero sign-in (OAuth with PKCE), a Pipedrive API token, a HubSpot private-app
token, or the CRM's exported files.

Secrets typed here go straight to the token store: each is taken out of the session in the form's
callback (deleting its widget state too) before the page is drawn again, so no secret stays in the
session or on the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from pages import _common as common
from workbench.app_support.problems import describe
from workbench.app_support.saved import saved_connections
from workbench.app_support.signin import XeroEndpoints, begin_xero_sign_in
from workbench.app_support.uploads import UploadRejected, import_uploads
from workbench.connect import connect_hubspot_token, connect_pipedrive_token, connect_xero_custom
from workbench.connections import CrmConnection, CrmKind, XeroConnection, XeroKind
from workbench.errors import ConfigurationError
from workbench.http import build_client

CUSTOM_SECRET = "custom_client_secret"
PIPEDRIVE_TOKEN = "pipedrive_api_token"
HUBSPOT_TOKEN = "hubspot_private_app_token"
SAVED_CRM_KINDS: tuple[CrmKind, ...] = (
    "pipedrive-token",
    "pipedrive-oauth",
    "hubspot-token",
    "hubspot-oauth",
)
PROBLEM = "connect_problem"
SIGN_IN_URL = "xero_sign_in_url"


def _app_root() -> str:
    """Where Xero should send the user back: this app's root URL."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/"
    return "http://localhost:8501/"


def _connect_custom() -> None:
    """Form callback: check the custom connection with Xero and keep it in the token store."""
    # taken out of the session (widget state included) at once: from here on it is in the token store only
    secret = str(st.session_state.pop(CUSTOM_SECRET, None) or "")
    name = str(st.session_state.get("custom_name") or "xero-custom").strip()
    tenant = str(st.session_state.get("custom_tenant") or "").strip() or None
    try:
        with build_client(common.service_transport()) as client:
            connect_xero_custom(
                client_id=str(st.session_state.get("custom_client_id") or ""),
                client_secret=secret,
                store=common.token_store(),
                token_client=client,
                name=name,
                tenant_id=tenant,
            )
    except Exception as exc:
        st.session_state[PROBLEM] = describe(exc, "checking the Xero custom connection")
        return
    st.session_state[common.XERO] = XeroConnection(kind="custom", name=name, tenant_id=tenant)
    common.notify(f"Xero custom connection checked and saved as '{name}'. Pull it on the Pull page.")


def _keep_crm_token(secret_key: str, what: str, save: Callable[[str], None], crm: CrmConnection) -> None:
    """A CRM token form's callback: the secret out of the session at once (widget state too), `save`d
    to the token store, and `crm` the session's CRM; a refusal becomes the page's problem."""
    secret = str(st.session_state.pop(secret_key, None) or "").strip()
    try:
        save(secret)
    except Exception as exc:
        st.session_state[PROBLEM] = describe(exc, f"saving the {what}")
        return
    st.session_state[common.CRM] = crm
    st.session_state[common.CRM_FILES] = False
    common.notify(f"{what} saved as '{crm.saved_as}'. Pull it on the Pull page.")


def _save_pipedrive_token() -> None:
    """Form callback: keep the Pipedrive API token in the token store."""
    name = str(st.session_state.get("pipedrive_name") or "pipedrive").strip()
    domain = str(st.session_state.get("pipedrive_domain") or "").strip() or None

    def save(api_token: str) -> None:
        if not domain:
            raise ConfigurationError(
                "a Pipedrive API-token connection needs the company domain",
                hint="type COMPANY as in COMPANY.pipedrive.com",
            )
        connect_pipedrive_token(common.token_store(), api_token, name)

    crm = CrmConnection(kind="pipedrive-token", name=name, company_domain=domain)
    _keep_crm_token(PIPEDRIVE_TOKEN, "Pipedrive API token", save, crm)


def _save_hubspot_token() -> None:
    """Form callback: keep the HubSpot private-app token in the token store."""
    name = str(st.session_state.get("hubspot_name") or "hubspot").strip()

    def save(access_token: str) -> None:
        if not access_token:
            raise ConfigurationError(
                "no HubSpot private-app token was typed",
                hint="copy it from HubSpot › Settings › Integrations › Private apps › your app › Auth",
            )
        connect_hubspot_token(common.token_store(), access_token, name)

    crm = CrmConnection(kind="hubspot-token", name=name)
    _keep_crm_token(HUBSPOT_TOKEN, "HubSpot private-app token", save, crm)


def render() -> None:
    st.title("Connect")
    st.caption(common.connection_summary())
    if PROBLEM in st.session_state:
        common.show_problem(st.session_state.pop(PROBLEM))

    saved = saved_connections(common.token_store())
    xero_tab, crm_tab, files_tab = st.tabs(["Xero", "CRM", "Upload CRM exports"])

    with xero_tab:
        with st.container(border=True):
            st.subheader("Sandbox")
            st.write(
                "The built-in demo client: emulated Xero and Pipedrive or HubSpot, planted problems, no "
                "credentials."
            )
            seed = st.number_input(
                "Demo client seed", min_value=0, value=int(st.session_state.get(common.SEED, 7))
            )
            crm_in = st.radio(
                "The demo client's CRM", ("Pipedrive", "HubSpot"), horizontal=True, key="sandbox_crm"
            )
            if st.button("Use the sandbox", key="use_sandbox"):
                st.session_state[common.XERO] = XeroConnection()
                kind: CrmKind = "hubspot-sandbox" if crm_in == "HubSpot" else "sandbox"
                st.session_state[common.CRM] = CrmConnection(kind=kind)
                st.session_state[common.CRM_FILES] = False
                st.session_state[common.SEED] = int(seed)
                common.notify(f"Both systems come from the sandbox now (the CRM in {crm_in}).")
                st.rerun()

        with st.container(border=True):
            st.subheader("Custom connection")
            st.write(
                "For one organisation, machine to machine: copy the client id and secret from the "
                "custom connection's page at developer.xero.com. They are checked with Xero and kept in "
                "the token store."
            )
            with st.form("xero_custom", clear_on_submit=True):
                st.text_input("Client id", key="custom_client_id")
                st.text_input("Client secret", type="password", key=CUSTOM_SECRET)
                st.text_input("Save as", value="xero-custom", key="custom_name")
                st.text_input("Tenant id (optional)", key="custom_tenant")
                st.form_submit_button("Check and save", on_click=_connect_custom, key="custom_submit")

        with st.container(border=True):
            st.subheader("Sign in with Xero")
            st.write(
                "OAuth2 with PKCE: your Xero app's client id (no secret), its redirect URI set to this app's "
                "address. Xero sends you back here and the connection is saved."
            )
            client_id = st.text_input("Client id of your Xero app", key="oauth_client_id")
            redirect_uri = st.text_input(
                "Redirect URI (as registered with the app)", value=_app_root(), key="oauth_redirect"
            )
            organisation = st.text_input(
                "Organisation (when the sign-in connects several)", key="oauth_tenant"
            )
            oauth_name = st.text_input("Save as", value="xero", key="oauth_name")
            served = st.text_input(
                "Served sandbox URL (optional, e.g. http://127.0.0.1:8765 from `workbench sandbox serve`)",
                key="oauth_sandbox_url",
            )
            if st.button("Start sign-in", key="oauth_start"):
                with common.guard("starting the Xero sign-in"):
                    pending = begin_xero_sign_in(
                        client_id=client_id,
                        redirect_uri=redirect_uri.strip(),
                        name=oauth_name.strip() or "xero",
                        tenant=organisation,
                        endpoints=XeroEndpoints.served_sandbox(served) if served.strip() else None,
                        restore={
                            common.ENGAGEMENT: common.engagement_name(),
                            common.CRM: common.crm_connection(),
                            common.CRM_FILES: common.crm_files_only(),
                            common.SEED: st.session_state.get(common.SEED, 7),
                        },
                    )
                    st.session_state[SIGN_IN_URL] = pending.url
            if st.session_state.get(SIGN_IN_URL):
                st.link_button("Open Xero's sign-in page", st.session_state[SIGN_IN_URL], type="primary")
                st.caption(
                    "Approve access there; Xero brings you back to this app, which finishes the connection."
                )

        xero_saved = [c for c in saved if c.kind in ("xero-oauth", "xero-custom")]
        if xero_saved:
            with st.container(border=True):
                st.subheader("Saved Xero connections")
                picked = st.selectbox(
                    "Connection", xero_saved, format_func=lambda c: c.label, key="xero_saved"
                )
                if st.button("Use this connection", key="xero_use_saved"):
                    xero_kind: XeroKind = "custom" if picked.kind == "xero-custom" else "oauth"
                    st.session_state[common.XERO] = XeroConnection(kind=xero_kind, name=picked.name)
                    common.notify(f"Xero comes from '{picked.name}' now.")
                    st.rerun()

    with crm_tab:
        with st.container(border=True):
            st.subheader("Pipedrive API token")
            st.write(
                "From Pipedrive › Personal preferences › API. Kept in the token store, never shown again."
            )
            with st.form("pipedrive_token", clear_on_submit=True):
                st.text_input("API token", type="password", key=PIPEDRIVE_TOKEN)
                st.text_input("Company domain (COMPANY in COMPANY.pipedrive.com)", key="pipedrive_domain")
                st.text_input("Save as", value="pipedrive", key="pipedrive_name")
                st.form_submit_button("Save", on_click=_save_pipedrive_token, key="pipedrive_submit")
        with st.container(border=True):
            st.subheader("HubSpot private-app token")
            st.write(
                "From HubSpot › Settings › Integrations › Private apps (scopes: CRM objects read, deals and "
                "companies write, and the deal and company schemas write for the flow's write-back). Kept "
                "in the token store, never shown again."
            )
            with st.form("hubspot_token", clear_on_submit=True):
                st.text_input("Access token", type="password", key=HUBSPOT_TOKEN)
                st.text_input("Save as", value="hubspot", key="hubspot_name")
                st.form_submit_button("Save", on_click=_save_hubspot_token, key="hubspot_submit")
        crm_saved = [c for c in saved if c.kind in SAVED_CRM_KINDS]
        if crm_saved:
            with st.container(border=True):
                st.subheader("Saved CRM connections")
                picked_crm = st.selectbox(
                    "Connection", crm_saved, format_func=lambda c: c.label, key="crm_saved"
                )
                domain = st.text_input("Company domain (API tokens)", key="crm_saved_domain")
                if st.button("Use this connection", key="crm_use_saved"):
                    crm_kind = next(k for k in SAVED_CRM_KINDS if k == picked_crm.kind)
                    st.session_state[common.CRM] = CrmConnection(
                        kind=crm_kind,
                        name=picked_crm.name,
                        company_domain=(domain.strip() or None) if crm_kind == "pipedrive-token" else None,
                    )
                    st.session_state[common.CRM_FILES] = False
                    common.notify(f"The CRM comes from '{picked_crm.name}' now.")
                    st.rerun()
        st.caption(
            "OAuth connections are made with `workbench connect pipedrive --oauth` or "
            "`workbench connect hubspot --oauth`, then picked here."
        )

    with files_tab:
        st.write(
            "No API access yet? Upload Pipedrive's exports (organisations, people, deals, products; "
            "CSV or XLSX). "
            "Nothing is saved unless every file reads cleanly."
        )
        uploads = st.file_uploader(
            "Export files", type=["csv", "xlsx"], accept_multiple_files=True, key="crm_exports"
        )
        mapping_file = st.file_uploader(
            "Column aliases (optional JSON, see ColumnMapping)", type=["json"], key="crm_mapping"
        )
        if st.button("Import into the engagement", disabled=not uploads, key="import_button"):
            files = [(upload.name, upload.getvalue()) for upload in uploads or []]
            try:
                with common.open_engagement() as engagement:
                    outcome = import_uploads(
                        engagement, files, mapping_file.getvalue() if mapping_file is not None else None
                    )
            except UploadRejected as exc:
                st.error(f"Nothing was imported: {exc.problem}")
                st.dataframe(
                    pd.DataFrame([{"file": exc.file, "row": exc.row, "column": exc.column}], dtype=object),
                    hide_index=True,
                )
                if exc.hint:
                    st.info(f"**What to do:** {exc.hint}")
            except Exception as exc:
                common.show_problem(describe(exc, "importing the exports"))
            else:
                st.session_state[common.CRM_FILES] = True
                st.session_state.pop(common.PROFILE, None)
                counts = ", ".join(f"{k} {v:,}" for k, v in sorted(outcome.counts.items()) if v)
                st.success(f"Imported as snapshot {outcome.snapshot_id}: {counts}. Pulls now take Xero only.")
                for warning in outcome.warnings:
                    st.warning(warning)


common.run_page("Connect", render)
