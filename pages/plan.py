"""Mapping plan: each sheet of the client's workbook as an editable table with the tenant's real codes
in its dropdowns, saved as a new plan version after the same checks a returned workbook gets; the
Excel workbook to download, and a returned one to read back with its problems by sheet, row, column."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pages import _common as common
from workbench.app_support import plan_editor as pe
from workbench.app_support.plan_files import import_upload, workbook_download
from workbench.app_support.uploads import UploadRejected
from workbench.excel.cover import RouteSummary
from workbench.excel.engagement import current_or_proposed
from workbench.excel.layout import DEAL_INVOICE_SHEET, SECTION_SHEETS
from workbench.plan.tenant import TenantCodes
from workbench.plan.versions import PlanVersion, list_versions, save_version
from workbench.store import Engagement

WORKBOOK = "plan_workbook"  # (version, file name, bytes): this session's prepared download
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _column_config(columns: list[pe.EditorColumn]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for column in columns:
        disabled = not column.editable
        if column.kind == "select":
            config[column.header] = st.column_config.SelectboxColumn(
                column.header, options=list(column.options), disabled=disabled
            )
        elif column.kind == "number":
            low, high = column.bounds or (None, None)
            config[column.header] = st.column_config.NumberColumn(
                column.header, min_value=low, max_value=high, step=1, disabled=disabled
            )
        else:
            config[column.header] = st.column_config.TextColumn(column.header, disabled=disabled)
    return config


def _settings_widgets(version: PlanVersion, dropdowns: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for setting, value in pe.settings(version.plan):
        key = f"plan_{version.version}_{setting.attr}"
        if setting.dropdown is not None:
            options = list(dropdowns.get(setting.dropdown, []))
            if value not in options:
                options = [value, *options]
            picked: Any = st.selectbox(
                setting.label, options, index=options.index(value), key=key, help=setting.notes or None
            )
        elif setting.whole is not None:
            low, high = setting.whole
            picked = st.number_input(setting.label, low, high, int(value), step=1, key=key)
        else:
            picked = st.text_input(setting.label, value="" if value is None else str(value), key=key)
        values[str(setting.attr)] = picked
    return values


def _problems(problems: list[Any], title: str) -> None:
    if problems:
        st.markdown(f"**{title}**")
        st.dataframe(pe.problems_frame(problems), hide_index=True, width="stretch")


def _editor(engagement: Engagement, version: PlanVersion, tenant: TenantCodes) -> None:
    plan = version.plan
    dropdowns = pe.choices(plan, tenant)
    tabs = st.tabs([sheet.name for sheet in SECTION_SHEETS] + [DEAL_INVOICE_SHEET])
    edited: dict[str, pd.DataFrame] = {}
    for tab, sheet in zip(tabs, SECTION_SHEETS, strict=False):
        with tab:
            st.caption(sheet.intro)
            edited[sheet.name] = st.data_editor(
                pe.section_frame(plan, sheet),
                key=f"plan_{version.version}_{sheet.section}",
                column_config=_column_config(pe.editor_columns(sheet, dropdowns)),
                num_rows="dynamic" if sheet.spare_rows else "fixed",
                hide_index=True,
                width="stretch",
            )
    with tabs[-1]:
        values = _settings_widgets(version, dropdowns)
    if st.button("Check and save as a new version", type="primary", key="plan_save"):
        result = pe.apply_edits(plan, edited, values, tenant)
        if result.errors:
            st.error(f"{len(result.errors)} problems to fix first: nothing was saved.")
        elif not result.changes:
            st.info("No changes to save.")
        else:
            saved = save_version(
                engagement,
                result.plan,
                origin="consultant",
                based_on=version.version,
                note=f"edited in the app: {len(result.changes)} changes",
            )
            common.notify(f"Saved plan version {saved.version} ({len(result.changes)} changes).")
            st.rerun()
        _problems(result.errors, "Errors")
        _problems(result.warnings, "Warnings (settle before go-live)")


def _workbook(engagement: Engagement, version: PlanVersion) -> None:
    st.subheader("Excel workbook")
    profile = common.current_profile()
    if profile is None:
        return
    if st.button("Prepare the workbook", key="plan_prepare"):
        cached = st.session_state.get(common.ROUTE_RECOMMENDATION)
        route = RouteSummary.from_recommendation(cached[1][0]) if cached else None
        name, content, _ = workbook_download(
            engagement,
            profile.tables,
            version=version.version,
            route=route,
            duplicates=profile.duplicates.findings,
            vat_findings=profile.vat,
        )
        st.session_state[WORKBOOK] = (version.version, name, content)
    prepared = st.session_state.get(WORKBOOK)
    if prepared and prepared[0] == version.version:
        st.download_button(
            f"Download {prepared[1]}", data=prepared[2], file_name=prepared[1], mime=XLSX, key="plan_download"
        )
    if not st.session_state.get(common.ROUTE_RECOMMENDATION):
        st.caption("Get a recommendation on the Route page first to put the route on the workbook's cover.")

    upload = st.file_uploader("The client's returned workbook", type=["xlsx"], key="plan_upload")
    if upload is not None and st.button("Read the returned workbook", key="plan_import"):
        try:
            outcome = import_upload(engagement, upload.name, upload.getvalue(), profile.tables)
        except UploadRejected as exc:
            st.error(f"{exc.file}: {exc.problem}" + (f"\n\n**What to do:** {exc.hint}" if exc.hint else ""))
            return
        result = outcome.result
        identity = result.identity
        exported_at = identity.exported_at[:16].replace("T", " ")
        st.caption(
            f"{upload.name}: plan version {identity.plan_version} of '{identity.engagement_name}', "
            f"exported {exported_at} UTC"
        )
        if not result.accepted:
            st.error(f"{len(result.errors)} errors for the client to fix: nothing was stored.")
        elif outcome.saved is None:
            st.info(f"No changes: the workbook matches version {result.exported.version}.")
        else:
            st.success(
                f"Stored as plan version {outcome.saved.version} (based on version "
                f"{result.exported.version}, {len(result.changes)} changes)."
            )
        _problems(result.errors, "Errors")
        _problems(result.warnings, "Warnings (settle before go-live)")
        if result.changes:
            st.markdown("**Changes**\n\n" + "\n".join(f"- {change}" for change in result.changes))


def render() -> None:
    st.title("Mapping plan")
    profile = common.current_profile()
    if profile is None:
        return
    tenant = TenantCodes.from_tables(profile.tables)
    with common.open_engagement() as engagement:
        versions = list_versions(engagement)
        if not versions:
            st.info("No plan yet: propose one from the pull, then edit it here or in Excel.")
            if st.button("Propose the plan from the pull", type="primary", key="plan_propose"):
                version, _ = current_or_proposed(engagement, profile.tables)
                common.notify(f"Proposed plan version {version.version} from the pull.")
                st.rerun()
            return
        current = versions[-1]
        signed = " · signed off" if current.plan.signed_off else ""
        st.markdown(
            f"**Version {current.version}** · {current.origin}"
            + (f" · based on version {current.based_on}" if current.based_on else "")
            + f" · {current.created_at[:16].replace('T', ' ')} UTC{signed}"
        )
        with st.expander(f"All versions ({len(versions)})"):
            listing = [
                {
                    "version": v.version,
                    "origin": v.origin,
                    "based on": v.based_on,
                    "created": v.created_at[:19],
                    "note": v.note,
                }
                for v in reversed(versions)
            ]
            st.dataframe(pd.DataFrame(listing), hide_index=True, width="stretch")
        _editor(engagement, current, tenant)
        st.divider()
        _workbook(engagement, current)


common.run_page("Mapping plan", render)
