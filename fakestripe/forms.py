"""Stripe's form encoding: `a[b][c]=1`, `items[0][price]=x`, `expand[]=y` → nested dicts and lists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_PART = re.compile(r"\[([^\]]*)\]")


def _key_parts(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    parts = [head]
    if rest:
        parts.extend(_PART.findall("[" + rest))
    return parts


def _listify(node: Any) -> Any:
    """Dicts whose keys are all indexes (0, 1, …) or "" become lists, as Stripe reads them."""
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
        return node
    if isinstance(node, list):
        return [_listify(v) for v in node]
    return node


def decode(body: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = _key_parts(key)
        node: Any = result
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                # `expand[]=x`: append to a list held under the previous key
                break
            if last:
                node[part] = value
            else:
                nxt = parts[i + 1]
                if nxt == "":
                    node.setdefault(part, [])
                    if isinstance(node[part], list):
                        node[part].append(value)
                    break
                node = node.setdefault(part, {})
    return _listify(result)
