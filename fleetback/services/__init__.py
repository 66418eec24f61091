"""Use cases of dealer cases, by topic: cases.py (create, update, duplicate, close, delete),
sending.py (send, revoke), decisions.py (staff-recorded decisions), answers.py (the customer page),
status.py (the status machine), rights.py (who may see and change a case)."""
