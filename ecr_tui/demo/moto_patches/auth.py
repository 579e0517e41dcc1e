"""GetAuthorizationToken: a 12-hour login for the registry behind the demo."""

from __future__ import annotations

import base64
from typing import Any

from ecr_tui.demo.moto_patches.protocol import Json
from ecr_tui.demo.moto_patches.state import EcrState

TOKEN_LIFETIME_SECONDS = 12 * 3600.0


def get_authorization_token(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """A 12-hour token for the registry behind the endpoint."""
    token = base64.b64encode(f"AWS:{ecr.password}".encode()).decode()
    if ecr.registry_host is not None:
        proxy = f"http://{ecr.registry_host}"
    else:
        proxy = f"https://{ecr.account_id}.dkr.ecr.{backend.region_name}.amazonaws.com"
    return {
        "authorizationData": [
            {
                "authorizationToken": token,
                "expiresAt": now + TOKEN_LIFETIME_SECONDS,
                "proxyEndpoint": proxy,
            }
        ]
    }
