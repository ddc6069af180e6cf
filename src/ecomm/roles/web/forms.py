"""Reading a POSTed form: bounded, strict, and read once per request.

The shop's forms are small `application/x-www-form-urlencoded` bodies of a few fields. Anything
else (multipart, a broken percent-escape, bytes that are not UTF-8, hundreds of fields, one huge
field) is a request no page of ours sent: it gets a 400 page that says so, never a 500. The CSRF
middleware and the view share the one parsed form through the request.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from aiohttp import web

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 32
MAX_FIELD_LENGTH = 2048

Form = dict[str, str]
form_key: web.RequestKey[dict[str, str]] = web.RequestKey("form")

UNREADABLE = "This form could not be read. Please go back, reload the page and try again."


async def read_form(request: web.Request) -> Form:
    """The request's form fields (the first value of each); `HTTPBadRequest` when unreadable."""
    if form_key in request:
        return request[form_key]
    if request.content_type != FORM_TYPE:
        raise web.HTTPBadRequest(text=UNREADABLE)
    body = await request.read()  # bounded by the app's client_max_size (413 past it)
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise web.HTTPBadRequest(text=UNREADABLE) from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if len(value) > MAX_FIELD_LENGTH:
            raise web.HTTPBadRequest(text="A field of this form is far too long.")
        form.setdefault(name, value)
    request[form_key] = form
    return form
