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
# # 4. Route, mapping plan and the report
#
# The app's **Route**, **Mapping plan** and **Report** pages in one notebook: answer what the data cannot
# show, get the route per flow with its reasons and the cost of every route, propose the mapping plan,
# and write the client's report folder. It pulls the sandbox demo first when the engagement is empty.

# %% tags=["parameters"]
ENGAGEMENT = "demo-notebook"  # a real client: the engagement you pulled into
SEED = 7  # the sandbox demo client pulled when the engagement is empty
ORGANISATIONS = 40  # its size in CRM organisations (None: the 300-organisation default)
# the discovery questionnaire: a field of DiscoveryAnswers and its answer ("yes"/"no", a number, a list);
# a question left out is assumed, and the recommendation says what it assumed
ANSWERS = {"in_house_developer": "no", "budget_monthly_gbp": "250"}
REDACT = False  # True: withhold people's names and email addresses from the report's files

# %%
from IPython.display import Markdown, display

from workbench.app_support import questionnaire as q
from workbench.app_support import route_view as rv
from workbench.connections import Connector
from workbench.excel.engagement import current_or_proposed
from workbench.profile.health import run_profile
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.report import write_report
from workbench.route.decision import recommend
from workbench.route.from_profile import route_inputs
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement

with Engagement.open(ENGAGEMENT) as engagement:
    if not engagement.snapshots():
        size = DemoSize.scaled(ORGANISATIONS) if ORGANISATIONS else DemoSize()
        with Connector(sandbox=Sandbox.demo(SEED, size)) as connector:
            for source in connector.sources(engagement):
                pull(engagement, source)
    tables = ProfileTables.from_engagement(engagement)
profile = run_profile(tables)

# %% [markdown]
# ## The recommendation
#
# The route per flow (native connector, middleware, custom, or a hybrid), the reasons in the client's own
# numbers, and an indicative monthly cost of every route, GBP ex VAT.

# %%
answers, note = q.answers_from(ANSWERS, tables)
rec = recommend(answers, *route_inputs(profile.volumes, profile.findings, tables))
cost = rec.recommended_cost
display(
    Markdown(
        f"**{rec.headline}**\n\n£{cost.monthly_gbp:,.2f} a month, £{cost.one_off_gbp:,.2f} one-off"
        + (f"\n\n_{note}_" if note else "")
        + "".join(f"\n\n**Before any route:** {p}" for p in rec.preconditions)
    )
)
rv.flows_frame(rec)

# %%
display(Markdown("\n".join(f"- {reason}" for reason in rec.reasons)))
rv.costs_frame(rec)[["route", "recommended", "option", "monthly_gbp", "one_off_gbp", "summary"]]

# %% [markdown]
# ## The seed guide's gotchas, and what was assumed

# %%
display(rv.gotchas_frame(rec))
display(Markdown("\n".join(f"- {assumption}" for assumption in rec.assumptions) or "Nothing assumed."))

# %% [markdown]
# ## The mapping plan and the report
#
# The plan is proposed from the pull (objects, direction, master per field, deal → invoice fields, the
# tenant's own tax codes) and stored as version 1; later runs reuse the latest version. The report folder
# holds the HTML report (opens offline), the Excel plan for the client to edit and sign off, and every
# finding as CSV.

# %%
with Engagement.open(ENGAGEMENT, create=False) as engagement:
    plan, proposed = current_or_proposed(engagement, tables)
    files = write_report(engagement, profile, rec, plan, redact=REDACT)
print(f"Plan version {plan.version}" + (" (proposed from the pull)" if proposed else ""))
for path in files:
    print(f"{path}  ({path.stat().st_size:,} bytes)")
