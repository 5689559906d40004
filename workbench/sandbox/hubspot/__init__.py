"""The sandbox's HubSpot: CRM v3 objects, search, properties, pipelines, owners, v4 associations, OAuth."""

from workbench.sandbox.hubspot.emulator import HubSpotEmulator
from workbench.sandbox.hubspot.limits import HubSpotLimits

__all__ = ["HubSpotEmulator", "HubSpotLimits"]
