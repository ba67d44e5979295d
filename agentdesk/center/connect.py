"""Which center the app talks to: the configured one over HTTPS, or the embedded practice center."""

from __future__ import annotations

from typing import Any

from agentdesk.center.api import CenterClient
from agentdesk.settings import CenterSettings


def center_for(settings: CenterSettings, **options: Any) -> CenterClient:
    """``base_url == ""`` means the practice center (the default on a fresh install)."""
    if not settings.base_url.strip():
        from agentdesk.center.practice.center import PracticeCenter

        return PracticeCenter(**options)
    from agentdesk.center.http import HttpCenterClient

    return HttpCenterClient(settings.base_url.strip(), **options)
