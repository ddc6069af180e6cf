"""The shop's plain objects and rules: no AWS, no HTTP, no pydantic, no I/O."""
