"""Wire formats, defined once: events, HTTP bodies and query parameters, and their limits."""
