"""Fleet pages (function views by topic)."""
