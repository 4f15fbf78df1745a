"""JSON over HTTP for the step executors' outside sources (POS, competitor prices), with timeouts
and errors a person can act on; and the prices those sources send."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests
from django.conf import settings

from playbooks.executor.base import StepError

CONNECT_TIMEOUT = 5


def get_json(url: str, *, api_key: str, params: dict | list, what: str) -> Any:
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    timeout = settings.PLAYBOOKS_HTTP_TIMEOUT
    try:
        response = requests.get(
            url, params=params, headers=headers, timeout=(CONNECT_TIMEOUT, timeout)
        )
    except requests.Timeout:
        raise StepError(f"{what} did not answer within {timeout} s ({url})") from None
    except requests.RequestException as exc:
        raise StepError(f"{what} is unreachable at {url}: {exc.__class__.__name__}") from None
    if response.status_code in (401, 403):
        raise StepError(f"{what} refused the API key (HTTP {response.status_code}); check it")
    if response.status_code >= 400:
        raise StepError(f"{what} answered HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError:
        raise StepError(f"{what} answered with something that is not JSON") from None


CENT = Decimal("0.01")


def json_price(value: object) -> str:
    """A price an outside source sent (a decimal string, or a JSON number: sources send floats
    too) as dollars to the cent (``"35.00"``), so a step result never holds a float;
    ``ValueError`` when it is not a non-negative amount."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not an amount")
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"{value!r} is not an amount")
        return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
    except ArithmeticError:
        raise ValueError(f"{value!r} is not an amount") from None
