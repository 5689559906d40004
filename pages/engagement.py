"""Engagement: pick or create the client's engagement, see its snapshots and counts, purge it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _common as common
from workbench.profile.tables import data_as_of
from workbench.store import Engagement


def render() -> None:
    st.title("Engagement")
    st.caption(
        "One folder per client, holding every pull of their Xero and CRM. Nothing leaves it but exports."
    )

    names = Engagement.names()
    current = common.engagement_name()

    left, right = st.columns(2)
    with left, st.container(border=True):
        st.subheader("Open")
        if names:
            choice = st.selectbox(
                "Engagement",
                names,
                index=names.index(current) if current in names else 0,
                key="engagement_pick",
            )
            if st.button("Open", key="engagement_open", disabled=choice == current):
                common.choose_engagement(choice)
                st.rerun()
        else:
            st.info("No engagements yet: create one, or pull the sandbox demo on the Pull page.")
    with right, st.container(border=True):
        st.subheader("Create")
        with st.form("engagement_create", clear_on_submit=True, border=False):
            new_name = st.text_input("Name", placeholder="acme-2026", key="engagement_new_name")
            if st.form_submit_button("Create", key="engagement_create_submit"):
                with common.guard("creating the engagement"):
                    with Engagement.open(new_name.strip()) as created:
                        created.audit("engagement created", by="app")
                    common.choose_engagement(created.name)
                    common.notify(f"Created engagement '{created.name}'. Connect its systems next.")
                    st.rerun()

    st.divider()
    if current not in names:
        st.info(f"Engagement '{current}' does not exist yet: it is created by its first pull or import.")
        return

    with common.guard("reading the engagement"), common.open_engagement(create=False) as engagement:
        snapshots = engagement.snapshots()
        st.subheader(f"'{engagement.name}'")
        st.caption(f"Folder: {engagement.root}")
        if not snapshots:
            st.info("No data yet: connect the systems (Connect page) and pull them (Pull page).")
        else:
            day = data_as_of(engagement)
            st.markdown(f"**{len(snapshots)} snapshots** · data as of **{day:%d %b %Y}**")
            listing = pd.DataFrame(
                [
                    {
                        "snapshot": s.snapshot_id,
                        "source": s.source,
                        "created": s.created_at[:19].replace("T", " "),
                        "based on": s.base_snapshot_id,
                        "records": sum(s.counts.values()),
                    }
                    for s in reversed(snapshots)
                ]
            )
            st.dataframe(listing, hide_index=True, width="stretch")
            latest = {s.source: s for s in snapshots}
            counts = (
                pd.DataFrame({source: info.counts for source, info in latest.items()}).fillna(0).astype(int)
            )
            st.markdown("**Records per table in the newest snapshot of each source**")
            st.dataframe(counts.rename_axis("table"), width="stretch")
        with st.expander("Audit log"):
            st.dataframe(engagement.audit_log().tail(200).iloc[::-1], hide_index=True, width="stretch")

    with st.expander("Purge this engagement"):
        st.warning(
            f"Purging deletes '{current}' and everything pulled into it (the client's personal data), "
            "for good. Connections in the token store are kept."
        )
        typed = st.text_input(f"Type **{current}** to confirm", key="purge_confirm")
        if st.button("Purge", type="primary", key="purge_button"):
            if typed.strip() != current:
                st.error(f"The name typed does not match '{current}': nothing was deleted.")
            else:
                with common.guard("purging the engagement"):
                    Engagement.purge(current)
                    remaining = Engagement.names()
                    common.choose_engagement(remaining[0] if remaining else common.DEMO_ENGAGEMENT)
                    common.notify(f"Purged engagement '{current}'.")
                    st.rerun()


common.run_page("Engagement", render)
