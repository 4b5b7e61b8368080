"""Inbound checks that run before any turn or outbound call: serviceUrl and tenant allow-lists."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

# Microsoft channel hosts a Bot Connector serviceUrl may point at (suffix match on a dot).
MICROSOFT_HOSTS = ("botframework.com", "smba.trafficmanager.net", "teams.microsoft.com", "teams.microsoft.us")
LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and _is_loopback((parts.hostname or "").lower())
    except ValueError:
        return False


def service_url_allowed(
    url: Any, *, allow_loopback: bool = False, extra_hosts: frozenset[str] = frozenset()
) -> bool:
    if not isinstance(url, str) or not url:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.username or parts.password or not host:
        return False
    if _is_loopback(host):
        return allow_loopback and parts.scheme in ("http", "https")
    if parts.scheme != "https":
        return False
    return any(host == h or host.endswith("." + h) for h in (*MICROSOFT_HOSTS, *extra_hosts))


def tenant_of(activity: Any) -> str | None:
    """The Teams tenant id: conversation.tenantId, else channelData.tenant.id."""
    conv = getattr(activity, "conversation", None)
    tid = getattr(conv, "tenant_id", None) if conv is not None else None
    if tid:
        return str(tid).lower()
    data = getattr(activity, "channel_data", None)
    if hasattr(data, "model_dump"):
        data = data.model_dump(by_alias=True)
    if isinstance(data, dict):
        tenant = data.get("tenant")
        if isinstance(tenant, dict) and tenant.get("id"):
            return str(tenant["id"]).lower()
    return None


def tenant_allowed(tenant: str | None, allowed: frozenset[str]) -> bool:
    if not tenant:
        return False
    return not allowed or tenant.lower() in allowed
