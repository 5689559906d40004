"""The end of a Xero sign-in: the redirect back to the app carries `code` and `state` in the URL."""

from __future__ import annotations

import streamlit as st

from pages import _common as common
from workbench.app_support.signin import finish_xero_sign_in, is_sign_in_return
from workbench.connections import XeroConnection
from workbench.http import build_client

LANDING = "land_on_connect"


def complete_if_returning() -> None:
    """If this run is Xero's redirect, trade the code, save the connection and make it the session's;
    the URL is cleared first, so a reload never replays the (single-use) code."""
    query = {k: str(v) for k, v in st.query_params.to_dict().items()}
    if not is_sign_in_return(query):
        return
    st.query_params.clear()
    st.session_state[LANDING] = True
    with common.guard("finishing the Xero sign-in"), build_client(common.service_transport()) as client:
        token, pending = finish_xero_sign_in(query, store=common.token_store(), token_client=client)
        for key, value in pending.restore.items():
            st.session_state[key] = value
        st.session_state[common.XERO] = XeroConnection(kind="oauth", name=pending.name)
        st.session_state.pop(common.PROFILE, None)
        organisation = token.extra.get("tenant_name") or token.tenant_id
        common.notify(
            f"Connected Xero organisation '{organisation}' as '{pending.name}'. Pull it on the Pull page."
        )


def land_on_connect() -> bool:
    """Whether this run should open on the Connect page (just back from a sign-in)."""
    return bool(st.session_state.pop(LANDING, False))
