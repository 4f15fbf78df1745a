"""Style presets: built-ins in code, custom presets per tenant. Public interface: README.md."""
