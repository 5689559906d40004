# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Pilot flow: won deals → DRAFT invoices
#
# The app's **Pilot flow** page and `workbench flow` in one notebook: pull both systems, take the mapping
# plan (proposed from the pull and signed off here on the sandbox; a real client signs it in the Excel
# workbook), a dry run that sends nothing, then a pilot of a few allow-listed deals, and the run report
# and the ledger. A deal is never invoiced twice: run the pilot cell again and it creates nothing.
#
# The sandbox lives in this kernel: the invoices the pilot creates there are gone when the kernel
# stops, while the engagement's ledger keeps them. So this notebook uses an engagement of its own.

# %% tags=["parameters"]
ENGAGEMENT = "demo-pilot"  # a real client: its engagement name (pulled, with a signed-off plan)
SOURCE = "sandbox"  # "sandbox", or "connected": the saved connections of `workbench connect`
SEED = 7  # which sandbox demo client
ORGANISATIONS = 120  # its size in CRM organisations (None: the 300-organisation default)
WON_AFTER = "2025-06-01"  # the sandbox plan's cut-off: deals won on or after this day are candidates
# the sandbox plan's sign-off (name, role); None leaves the plan as it is (a real client's is signed in
# the workbook and read back with `workbench plan import`)
SIGN_OFF = ("Jo Bloggs", "Finance (VAT and tax mapping)")
ALLOW = None  # the pilot's deals, e.g. ["PD-12", "PD-15"]; None: the first PILOT_SIZE the dry run offers
PILOT_SIZE = 2
CAP = 5  # most invoices the pilot creates

# %%
from datetime import date

from IPython.display import Markdown, display

from workbench.app_support import flow_view as fv
from workbench.connections import Connector
from workbench.excel.engagement import current_or_proposed
from workbench.flow.runner import run_flow
from workbench.plan.model import SignOff
from workbench.plan.versions import save_version
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

if SOURCE == "sandbox":
    size = DemoSize.scaled(ORGANISATIONS) if ORGANISATIONS else DemoSize()
    connector = Connector(sandbox=Sandbox.demo(SEED, size))  # one sandbox for every run below
else:
    connector = Connector()  # the saved connections (see notebook 01 for the other kinds)

with Engagement.open(ENGAGEMENT) as engagement:
    if not engagement.snapshots():
        for source in connector.sources(engagement):
            pull(engagement, source)

# %% [markdown]
# ## The plan
#
# Pilot and live runs need a signed-off plan (a name and a date on its Sign-off sheet); a dry run
# previews an unsigned one. On the sandbox the proposed plan gets the cut-off above and a sign-off.

# %%
with Engagement.open(ENGAGEMENT, create=False) as engagement:
    version, _ = current_or_proposed(engagement, ProfileTables.from_engagement(engagement))
    if SIGN_OFF and not version.plan.signed_off:
        settings = version.plan.deal_invoice.model_copy(update={"won_after": date.fromisoformat(WON_AFTER)})
        signed = (SignOff(id="S01", name=SIGN_OFF[0], role=SIGN_OFF[1], signed_on=date.today()),)
        plan = version.plan.model_copy(update={"deal_invoice": settings, "sign_off": signed})
        version = save_version(
            engagement, plan, origin="consultant", based_on=version.version, note="signed off in notebook 05"
        )
    state = fv.plan_state(engagement)
display(Markdown(f"**{state.caption}**"))

# %% [markdown]
# ## Dry run
#
# Every invoice the flow would create (contact and how it was matched, lines, subtotal, VAT and total),
# and every deal it holds with the reason. Nothing is sent to Xero.

# %%
with Engagement.open(ENGAGEMENT, create=False) as engagement:
    dry = fv.dry_run(engagement, connector)
    drafts = fv.drafts_frame(dry)
print(f"Dry run {dry.run_id}: {len(dry.would_create)} would be created, {len(dry.skipped)} held")
drafts

# %%
held = fv.outcomes_frame(dry.skipped)
display(held.groupby("reason").size().rename("deals").to_frame())
held.head(20)

# %% [markdown]
# ## Pilot
#
# Only the allow-listed deals, at most `CAP` of them, as DRAFT invoices. The app asks the operator to type
# the Xero organisation's name first; here it is shown.

# %%
allow = ALLOW if ALLOW is not None else fv.sendable(dry)[:PILOT_SIZE]
with Engagement.open(ENGAGEMENT, create=False) as engagement:
    print(
        f"Pilot in Xero organisation '{fv.organisation_name(engagement)}' of {', '.join(allow) or 'nothing'}"
    )
    pilot = run_flow(engagement, None, connector, mode="pilot", allow=allow, cap=CAP)
print(f"Pilot run {pilot.run_id}: {pilot.report.status}, {len(pilot.created)} created")
fv.outcomes_frame(pilot.created)

# %% [markdown]
# ## The run report and the ledger
#
# The report is kept with the run in the ledger and written to `reports/<engagement>/`; the ledger holds
# the last outcome of every deal.

# %%
display(Markdown(pilot.report.to_markdown()))
print("Written:", *pilot.files, sep="\n  ")

# %%
with Engagement.open(ENGAGEMENT, create=False) as engagement:
    ledger = fv.ledger_frame(engagement)
connector.close()
ledger
