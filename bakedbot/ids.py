import secrets


def new_id(prefix: str) -> str:
    """A short, URL-safe, prefixed identifier (``org_3f9a1c0b7d2e``)."""
    return f"{prefix}_{secrets.token_hex(6)}"
