"""Pages the fake serves to browsers: its own checkout page (a reference for the Stripe.js stand-in)
and the 3-D Secure challenge page that returns to `return_url` like Stripe."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlencode

from .core import invalid, not_found

STATIC_FILES = {"checkout.js": "application/javascript; charset=utf-8", "checkout.css": "text/css; charset=utf-8"}
# The fake's own pages run under a strict policy, so the stand-in is known to need no inline code.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; img-src 'self'"
)


class PagesMixin:
    """Part of the request handler (server._Handler)."""

    fake_server: Any
    _send: Any
    _body: Any

    # --- the fake's own checkout page ---------------------------------------------------------------

    def _page(self, path: str, query: dict) -> None:
        lang = "de" if query.get("lang", "en").lower().startswith("de") else "en"
        esc = html.escape
        if path == "/_fake/returned":
            title = "Zurück von der Zahlung" if lang == "de" else "Back from the payment"
            items = "".join(
                f"<dt>{esc(k)}</dt><dd data-param='{esc(k)}'>{esc(v)}</dd>" for k, v in sorted(query.items())
            )
            body = f"<h1>{esc(title)}</h1><dl>{items}</dl>"
        else:
            title = "Testkasse" if lang == "de" else "Test checkout"
            pay = "Bezahlen" if lang == "de" else "Pay"
            return_url = query.get("return_url") or f"{self.fake_server.url}/_fake/returned?lang={lang}"
            body = (
                f"<h1>{esc(title)}</h1>"
                f'<form id="checkout" data-publishable-key="{esc(query.get("pk", ""))}" '
                f'data-client-secret="{esc(query.get("client_secret", ""))}" data-return-url="{esc(return_url)}">'
                '<div id="payment-element"></div>'
                f'<button type="submit">{esc(pay)}</button></form>'
                '<script src="/v3/"></script><script src="/_fake/static/checkout.js"></script>'
            )
        page = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title><link rel="stylesheet" href="/_fake/static/checkout.css"></head>'
            f"<body><main>{body}</main></body></html>"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": PAGE_CSP})

    # --- 3-D Secure challenge page -------------------------------------------------------------

    def _challenge(self, method: str, object_id: str, query: dict) -> None:
        fake = self.fake_server.fake
        with fake.lock:
            found = fake.find(object_id)
            if not found or found[1]["object"] not in ("payment_intent", "setup_intent"):
                raise not_found("intent", object_id)
            account, intent = found
            if query.get("client_secret") != intent["client_secret"]:
                raise invalid("The client_secret does not match.", param="client_secret")
            if method == "POST":
                answer = parse_qs(self._body()).get("answer", [""])[0]
                fake.authenticate(account, intent, complete=answer == "complete")
                prefix = intent["object"]
                if intent["status"] in ("succeeded", "requires_capture"):
                    status = "succeeded"
                elif intent["status"] == "processing":
                    status = "pending"
                else:
                    status = "failed"
                target = query.get("return_url", "")
                params = {
                    prefix: intent["id"],
                    f"{prefix}_client_secret": intent["client_secret"],
                    "redirect_status": status,
                }
                location = target + ("&" if "?" in target else "?") + urlencode(params)
                self._send(303, b"", "text/plain", {"Location": location})
                return
            amount = intent.get("amount")
            currency = (intent.get("currency") or "eur").upper()
        self._send(200, _challenge_page(query.get("locale", "en"), amount, currency), "text/html; charset=utf-8")


CHALLENGE_TEXT = {
    "en": {
        "title": "3-D Secure test page",
        "heading": "Confirm this payment",
        "amount": "Amount",
        "setup": "Your bank asks you to confirm that this card may be saved.",
        "intro": "This is the fake Stripe server's stand-in for your bank's 3-D Secure check.",
        "complete": "Complete authentication",
        "fail": "Fail authentication",
    },
    "de": {
        "title": "3-D-Secure-Testseite",
        "heading": "Zahlung bestätigen",
        "amount": "Betrag",
        "setup": "Ihre Bank bittet Sie zu bestätigen, dass diese Karte gespeichert werden darf.",
        "intro": "Dies ist die Testseite des Stripe-Testservers anstelle der 3-D-Secure-Prüfung Ihrer Bank.",
        "complete": "Authentifizierung abschließen",
        "fail": "Authentifizierung ablehnen",
    },
}


def _challenge_page(locale: str, amount: int | None, currency: str) -> bytes:
    lang = "de" if locale.lower().startswith("de") else "en"
    t = CHALLENGE_TEXT[lang]
    if amount is not None:
        value = f"{amount / 100:,.2f}"
        if lang == "de":
            value = value.replace(",", "\u202f").replace(".", ",")
        what = f"<p>{html.escape(t['amount'])}: <strong>{value} {html.escape(currency)}</strong></p>"
    else:
        what = f"<p>{html.escape(t['setup'])}</p>"
    page = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(t["title"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; max-width: 32rem;
  margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
button {{ font: inherit; padding: .6rem 1rem; margin: .25rem .5rem .25rem 0; border-radius: .3rem;
  border: 2px solid #1a1a1a; cursor: pointer; min-height: 44px; }}
.complete {{ background: #0b5d1e; color: #fff; border-color: #0b5d1e; }}
.fail {{ background: #fff; color: #8a1c1c; border-color: #8a1c1c; }}
button:focus-visible {{ outline: 3px solid #1f4fd1; outline-offset: 2px; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(t["heading"])}</h1>
<p>{html.escape(t["intro"])}</p>
{what}
<form method="post">
<button type="submit" name="answer" value="complete" class="complete">{html.escape(t["complete"])}</button>
<button type="submit" name="answer" value="fail" class="fail">{html.escape(t["fail"])}</button>
</form>
</main>
</body>
</html>
"""
    return page.encode()
