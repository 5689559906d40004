"""The sandbox's fixed, public credentials: safe to print, useless anywhere but the sandbox."""

XERO_CLIENT_ID = "SANDBOX0XERO0CUSTOM0CONNECTION0ID"
XERO_CLIENT_SECRET = "sandbox-xero-secret-not-for-production"
XERO_PKCE_CLIENT_ID = "SANDBOX0XERO0PKCE0APP0CLIENT0ID00"
XERO_REDIRECT_URIS = ("http://localhost:8501/", "http://127.0.0.1:8501/", "http://localhost:8765/callback")
PIPEDRIVE_API_TOKEN = "sandbox0pipedrive0api0token0000000000000"
HUBSPOT_PRIVATE_APP_TOKEN = "pat-eu1-sandbox0hubspot0private0app0token"
HUBSPOT_CLIENT_ID = "sandbox-hubspot-oauth-client-id"
HUBSPOT_CLIENT_SECRET = "sandbox-hubspot-oauth-client-secret-not-for-production"
HUBSPOT_REFRESH_TOKEN = "eu1-sandbox-hubspot-refresh-token"
