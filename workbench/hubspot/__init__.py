"""HubSpot: the CRM v3/v4 client, its wire models, canonicalisation and pull source."""

from workbench.hubspot.client import HUBSPOT_API, HubSpotClient, hubspot_sessions
from workbench.hubspot.source import HubSpotSource, previous_rows

__all__ = ["HUBSPOT_API", "HubSpotClient", "HubSpotSource", "hubspot_sessions", "previous_rows"]
