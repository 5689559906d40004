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
# # 2. Duplicates and CRM ↔ Xero matching
#
# The same figures and charts as the app's **Duplicates & matching** page, from the same library calls.
# It pulls the sandbox demo first when the engagement has no data yet (see `01_pull.py` for a real client).

# %% tags=["parameters"]
ENGAGEMENT = "demo-notebook"  # a real client: the engagement you pulled into
SEED = 7  # the sandbox demo client pulled when the engagement is empty
ORGANISATIONS = 40  # its size in CRM organisations (None: the 300-organisation default)
TABLE = "organisations"  # which records' clusters to open: organisations, people or xero_contacts

# %%
from IPython.display import Markdown, display

from workbench.app_support import charts, summaries
from workbench.app_support import evidence as ev
from workbench.app_support import findings_view as fv
from workbench.connections import Connector
from workbench.profile.health import run_profile
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

with Engagement.open(ENGAGEMENT) as engagement:
    if not engagement.snapshots():
        size = DemoSize.scaled(ORGANISATIONS) if ORGANISATIONS else DemoSize()
        with Connector(sandbox=Sandbox.demo(SEED, size)) as connector:
            for source in connector.sources(engagement):
                pull(engagement, source)
    tables = ProfileTables.from_engagement(engagement)  # as of the day the data was pulled
profile = run_profile(tables)
print(f"Data as of {tables.as_of:%d %b %Y}: {len(profile.findings):,} findings")

# %% [markdown]
# ## Duplicate rate per system
#
# The share of live records that are a second copy of another. A sync copies every duplicate across and
# links invoices to the wrong copy, so these are merged before the first sync.

# %%
rates = summaries.duplicate_rates(profile)
charts.duplicate_rates_figure(rates)

# %%
rates

# %% [markdown]
# ## Clusters, and one opened side by side
#
# Each cluster lists its records, the band (certain, likely, possible) and the suggested survivor with
# why. Opened, its records are compared field by field, with the evidence of each pair.

# %%
clusters = profile.duplicates.clusters
of_table = clusters[clusters["table"] == TABLE].reset_index(drop=True)
of_table[["cluster_id", "size", "band", "survivor", "survivor_reason"]]

# %%
if of_table.empty:
    print(f"No duplicate clusters among {TABLE}.")
else:
    cluster = of_table.iloc[0]
    members = [str(m) for m in cluster["members"]]
    rows = ev.finding_records(tables, {TABLE: members}).get(TABLE)
    display(
        Markdown(
            f"**{cluster['cluster_id']}**: keep **{cluster['survivor']}** ({cluster['survivor_reason']})"
        )
    )
    display(ev.side_by_side(rows, TABLE))
    pairs = profile.duplicates.pairs
    inside = pairs[(pairs["table"] == TABLE) & pairs["left"].astype(str).isin(members)]
    for pair in inside.itertuples():
        lines = "\n".join(ev.evidence_lines(pair.evidence))
        display(Markdown(f"**{pair.left} ↔ {pair.right}**: score {pair.score:g}, {pair.band}\n\n{lines}"))

# %% [markdown]
# ## CRM ↔ Xero matching
#
# How each CRM organisation was linked to a Xero contact (a stored ContactID first, then VAT number,
# invoice reference, email or domain, then name), which keys each side carries, and which key to store so
# matching becomes permanent.

# %%
matching = profile.matching
coverage = summaries.match_coverage(matching)
charts.match_coverage_figure(coverage)

# %%
charts.key_coverage_figure(summaries.key_coverage(matching))

# %%
display(Markdown(f"**Which key to store.** {matching.key_recommendation.text}"))
print(f"CRM organisations not matched: {len(matching.unmatched_crm):,}")
print(f"Xero contacts with no CRM organisation: {len(matching.unmatched_xero):,}")

# %%
fv.shown(matching.findings)
