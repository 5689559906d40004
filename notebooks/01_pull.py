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
# # 1. Pull Xero and the CRM into an engagement
#
# The same calls as the app's **Pull** page and `workbench pull`: open the engagement, connect each
# system, pull it (incrementally when there is already a snapshot). It runs on the built-in sandbox as
# it stands; to pull a real client, change the parameter cell below.

# %% tags=["parameters"]
ENGAGEMENT = "demo-notebook"  # a real client: its engagement name, e.g. "acme-2026"
SOURCE = "sandbox"  # "sandbox", or "connected": the saved connections below
XERO_KIND = "oauth"  # when connected: "oauth" (`workbench connect xero`) or "custom" (XERO_CLIENT_ID/SECRET)
CRM_KIND = "pipedrive-oauth"  # when connected: "pipedrive-oauth" or "pipedrive-token" (needs the domain)
PIPEDRIVE_DOMAIN = None  # COMPANY in COMPANY.pipedrive.com, for "pipedrive-token"
SEED = 7  # which sandbox demo client
ORGANISATIONS = 40  # sandbox size in CRM organisations (None: the 300-organisation default)
FULL = False  # True: ignore the cursors and pull everything again

# %%
import pandas as pd

from workbench.commands.progress import ProgressLine
from workbench.connections import Connector, CrmConnection, XeroConnection
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

# %% [markdown]
# ## Connect and pull
#
# Each source shows its endpoints as they are read, with the API budget the server says is left. The
# clients slow down before a rate limit rather than hitting it, and a pull that fails part-way keeps every
# completed page: running this cell again resumes where it stopped.

# %%
if SOURCE == "sandbox":
    size = DemoSize.scaled(ORGANISATIONS) if ORGANISATIONS else DemoSize()
    connector = Connector(sandbox=Sandbox.demo(SEED, size))
else:
    connector = Connector(
        XeroConnection(kind=XERO_KIND), CrmConnection(kind=CRM_KIND, company_domain=PIPEDRIVE_DOMAIN)
    )

rows = []
with Engagement.open(ENGAGEMENT) as engagement, connector:
    for source in connector.sources(engagement):
        result = pull(engagement, source, mode="full" if FULL else "auto", progress=ProgressLine())
        rows += [
            {
                "source": result.source,
                "pull": result.mode,
                "endpoint": report.name,
                "records": report.records,
                "calls": report.pages_fetched,
                "minimum calls": report.minimum_calls,
            }
            for report in result.endpoints
        ]
    snapshots = engagement.snapshots()

pulled = pd.DataFrame(rows)
pulled

# %% [markdown]
# ## What to look at
#
# - **calls against the minimum**: equal means no page was fetched twice; a second run of this notebook is
#   an incremental pull, one call per endpoint.
# - **records per table** in the newest snapshot of each source: the size of what a sync would carry.

# %%
latest = {info.source: info for info in snapshots}
counts = pd.DataFrame({source: info.counts for source, info in latest.items()}).fillna(0).astype(int)
counts.rename_axis("table")
