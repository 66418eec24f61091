"""Row links of list pages: one reverse() per list instead of one per row.

A `{% url %}` per row of a 50-row list resolves the pattern 50 times; the link differs only in the
record's id, so the URL is reversed once with a marker id and the rows fill in their own.
"""

from collections.abc import Callable

from django.urls import reverse

_MARKER = 2_147_483_647  # never a real id in the lists (ids are far smaller); only the position matters


def pk_url(name: str, *, org_slug: str) -> Callable[[int], str]:
    """A function giving the URL of `name` (org_slug, pk) for a pk, reversed once."""
    head, tail = reverse(name, kwargs={"org_slug": org_slug, "pk": _MARKER}).rsplit(str(_MARKER), 1)
    return lambda pk: f"{head}{pk}{tail}"
