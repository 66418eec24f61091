"""Permissions of apps that do not exist yet, declared under the label the app will have.

Roles of existing organizations already hold these keys, and the role editor shows them, so they
stay declared until their app arrives. When it does, the app moves its block to
`<app>/permissions.py` (same keys, same grants) and deletes it here; declaring an app twice
raises, and tests/rentoffice/test_permissions.py fails while a planned app is installed.
Nothing here is core's: core's own catalogue is in rentoffice/permissions.py.
"""

PLANNED_APPS: tuple[str, ...] = ()
