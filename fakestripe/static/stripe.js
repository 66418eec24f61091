/*
 * Stripe.js stand-in served by the fake Stripe server at /v3/ (development and tests only).
 *
 * The subset our pages call: Stripe(pk), stripe.elements({clientSecret}), elements.create("payment"),
 * element.mount(selector), element.on(event, handler), elements.submit(), stripe.confirmPayment(),
 * stripe.confirmSetup(), stripe.handleNextAction(), stripe.retrievePaymentIntent(),
 * stripe.retrieveSetupIntent(). Instead of Stripe's iframe it renders a plain, labelled card form
 * (card number, expiry, CVC) into the mount element, in German or English by the page's `lang`.
 * The inputs have no `name`, so a surrounding form never posts card data to our own server.
 * 3-D Secure cards send the browser to the fake's challenge page, which returns to `return_url`
 * with payment_intent, payment_intent_client_secret and redirect_status like Stripe does.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="/v3"]');
  var API = new URL(script.src, window.location.href).origin;
  var counter = 0;

  var TEXT = {
    en: {
      number: "Card number",
      expiry: "Expiry date (MM / YY)",
      cvc: "Security code (CVC)",
      numberIncomplete: "Your card number is incomplete.",
      numberInvalid: "Your card number is invalid.",
      expiryIncomplete: "Your card's expiry date is incomplete.",
      expiryPast: "Your card's expiry date is in the past.",
      cvcIncomplete: "Your card's security code is incomplete.",
      hint: "Test mode, no real payment: card 4242 4242 4242 4242, any future date, any CVC.",
      generic_decline: "Your card was declined.",
      insufficient_funds: "Your card has insufficient funds.",
      expired_card: "Your card has expired.",
      incorrect_number: "Your card number is incorrect.",
      authentication_required: "Your card was declined. This transaction requires authentication.",
      payment_intent_authentication_failure:
        "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
      network: "The payment service cannot be reached. Please try again.",
    },
    de: {
      number: "Kartennummer",
      expiry: "Ablaufdatum (MM / JJ)",
      cvc: "Prüfnummer (CVC)",
      numberIncomplete: "Ihre Kartennummer ist unvollständig.",
      numberInvalid: "Ihre Kartennummer ist ungültig.",
      expiryIncomplete: "Das Ablaufdatum Ihrer Karte ist unvollständig.",
      expiryPast: "Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit.",
      cvcIncomplete: "Die Prüfnummer Ihrer Karte ist unvollständig.",
      hint: "Testmodus, keine echte Zahlung: Karte 4242 4242 4242 4242, ein beliebiges künftiges Datum, beliebige Prüfnummer.",
      generic_decline: "Ihre Karte wurde abgelehnt.",
      insufficient_funds: "Ihre Karte ist nicht ausreichend gedeckt.",
      expired_card: "Ihre Karte ist abgelaufen.",
      incorrect_number: "Ihre Kartennummer ist falsch.",
      authentication_required: "Ihre Karte wurde abgelehnt. Diese Zahlung erfordert eine Authentifizierung.",
      payment_intent_authentication_failure:
        "Ihre Zahlungsmethode konnte nicht authentifiziert werden. Bitte wählen Sie eine andere Zahlungsmethode und versuchen Sie es erneut.",
      network: "Der Zahlungsdienst ist nicht erreichbar. Bitte versuchen Sie es erneut.",
    },
  };

  function language(locale) {
    var lang = (locale && locale !== "auto" ? locale : document.documentElement.lang || navigator.language || "en");
    return lang.toLowerCase().indexOf("de") === 0 ? "de" : "en";
  }

  function digits(value) {
    return (value || "").replace(/\D/g, "");
  }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var d = parseInt(number.charAt(number.length - 1 - i), 10);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function encode(params, prefix, out) {
    out = out || [];
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      var name = prefix ? prefix + "[" + key + "]" : key;
      if (value === undefined || value === null) return;
      if (typeof value === "object") encode(value, name, out);
      else out.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
    });
    return out.join("&");
  }

  function intentIdOf(clientSecret) {
    return String(clientSecret || "").split("_secret_")[0];
  }

  // --- the card form ------------------------------------------------------------------------

  function PaymentElement(elements, options) {
    this._elements = elements;
    this._options = options || {};
    this._handlers = {};
    this._node = null;
    this._inputs = null;
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  PaymentElement.prototype.off = function (event, handler) {
    this._handlers[event] = (this._handlers[event] || []).filter(function (h) {
      return h !== handler;
    });
    return this;
  };

  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).forEach(function (h) {
      h(payload);
    });
  };

  PaymentElement.prototype._field = function (id, label, attrs) {
    var wrap = document.createElement("div");
    wrap.className = "mb-3 fakestripe-field";
    var lab = document.createElement("label");
    lab.className = "form-label";
    lab.htmlFor = id;
    lab.textContent = label;
    var input = document.createElement("input");
    input.id = id;
    input.type = "text";
    input.className = "form-control";
    input.setAttribute("aria-required", "true");
    input.spellcheck = false;
    Object.keys(attrs).forEach(function (k) {
      input.setAttribute(k, attrs[k]);
    });
    var error = document.createElement("div");
    error.id = id + "-error";
    error.className = "invalid-feedback";
    input.setAttribute("aria-describedby", error.id);
    wrap.appendChild(lab);
    wrap.appendChild(input);
    wrap.appendChild(error);
    return { wrap: wrap, input: input, error: error };
  };

  PaymentElement.prototype.mount = function (target) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node) throw new Error("Stripe stand-in: mount target not found: " + target);
    var t = TEXT[this._elements._lang];
    var id = "fakestripe-" + ++counter;
    var root = document.createElement("div");
    root.className = "fakestripe-payment-element";
    root.setAttribute("data-fakestripe", "payment");
    var number = this._field(id + "-number", t.number, {
      autocomplete: "cc-number",
      inputmode: "numeric",
      maxlength: "23",
    });
    var row = document.createElement("div");
    row.className = "row g-3";
    var expiry = this._field(id + "-expiry", t.expiry, {
      autocomplete: "cc-exp",
      inputmode: "numeric",
      maxlength: "7",
    });
    var cvc = this._field(id + "-cvc", t.cvc, {
      autocomplete: "cc-csc",
      inputmode: "numeric",
      maxlength: "4",
    });
    [expiry, cvc].forEach(function (f) {
      var col = document.createElement("div");
      col.className = "col-sm-6";
      col.appendChild(f.wrap);
      row.appendChild(col);
    });
    var hint = document.createElement("p");
    hint.className = "form-text";
    hint.id = id + "-hint";
    hint.textContent = t.hint;
    number.input.setAttribute("aria-describedby", number.error.id + " " + hint.id);
    var alert = document.createElement("div");
    alert.className = "text-danger mb-2 fakestripe-error";
    alert.setAttribute("role", "alert");
    alert.id = id + "-alert";
    root.appendChild(number.wrap);
    root.appendChild(row);
    root.appendChild(hint);
    root.appendChild(alert);
    node.innerHTML = "";
    node.appendChild(root);
    this._node = root;
    this._alert = alert;
    this._fields = { number: number, expiry: expiry, cvc: cvc };
    var self = this;
    expiry.input.addEventListener("input", function () {
      var d = digits(expiry.input.value).slice(0, 4);
      expiry.input.value = d.length > 2 ? d.slice(0, 2) + " / " + d.slice(2) : d;
    });
    Object.keys(this._fields).forEach(function (name) {
      self._fields[name].input.addEventListener("input", function () {
        self._clear(name);
        var state = self._validate(false);
        self._emit("change", { elementType: "payment", complete: !state.error, empty: state.empty, value: { type: "card" } });
      });
    });
    setTimeout(function () {
      self._emit("ready", { elementType: "payment" });
    }, 0);
    return this;
  };

  PaymentElement.prototype.unmount = function () {
    if (this._node && this._node.parentNode) this._node.parentNode.removeChild(this._node);
    this._node = null;
  };
  PaymentElement.prototype.destroy = PaymentElement.prototype.unmount;
  PaymentElement.prototype.update = function () {};
  PaymentElement.prototype.focus = function () {
    if (this._fields) this._fields.number.input.focus();
  };
  PaymentElement.prototype.collapse = function () {};

  PaymentElement.prototype._clear = function (name) {
    var f = this._fields[name];
    f.input.classList.remove("is-invalid");
    f.input.removeAttribute("aria-invalid");
    f.error.textContent = "";
  };

  PaymentElement.prototype._mark = function (name, message) {
    var f = this._fields[name];
    f.input.classList.add("is-invalid");
    f.input.setAttribute("aria-invalid", "true");
    f.error.textContent = message;
  };

  // Validates the form like Stripe's element; with show=true the messages appear on the fields.
  PaymentElement.prototype._validate = function (show) {
    var t = TEXT[this._elements._lang];
    var f = this._fields;
    var number = digits(f.number.input.value);
    var exp = digits(f.expiry.input.value);
    var cvc = digits(f.cvc.input.value);
    var errors = {};
    if (number.length < 12) errors.number = t.numberIncomplete;
    else if (number.length > 19 || !luhn(number)) errors.number = t.numberInvalid;
    var month = parseInt(exp.slice(0, 2), 10);
    var year = 2000 + parseInt(exp.slice(2, 4), 10);
    var now = new Date();
    if (exp.length !== 4 || !(month >= 1 && month <= 12)) errors.expiry = t.expiryIncomplete;
    else if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) {
      errors.expiry = t.expiryPast;
    }
    if (cvc.length < 3) errors.cvc = t.cvcIncomplete;
    var self = this;
    if (show) {
      Object.keys(f).forEach(function (name) {
        self._clear(name);
        if (errors[name]) self._mark(name, errors[name]);
      });
      var first = ["number", "expiry", "cvc"].filter(function (n) {
        return errors[n];
      })[0];
      if (first) f[first].input.focus();
    }
    var names = Object.keys(errors);
    return {
      empty: !number && !exp && !cvc,
      error: names.length ? { type: "validation_error", code: "incomplete", message: errors[names[0]] } : null,
      card: { number: number, exp_month: month, exp_year: year, cvc: cvc },
    };
  };

  PaymentElement.prototype._showError = function (message) {
    if (this._alert) this._alert.textContent = message || "";
  };

  // --- elements and the Stripe object ---------------------------------------------------------------

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._clientSecret = this._options.clientSecret || "";
    this._lang = language(this._options.locale || stripe._locale);
    this._payment = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== "payment" && type !== "card") throw new Error("Stripe stand-in: only the payment element exists");
    this._payment = new PaymentElement(this, options);
    return this._payment;
  };

  Elements.prototype.getElement = function (type) {
    return type === "payment" || type === "card" ? this._payment : null;
  };

  Elements.prototype.update = function (options) {
    Object.assign(this._options, options || {});
    if (options && options.locale) this._lang = language(options.locale);
  };

  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  Elements.prototype.submit = function () {
    if (!this._payment || !this._payment._fields) {
      return Promise.resolve({ error: { type: "validation_error", message: "No payment element is mounted." } });
    }
    var state = this._payment._validate(true);
    return Promise.resolve(state.error ? { error: state.error } : {});
  };

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (!publishableKey) throw new Error("Stripe stand-in: a publishable key is required");
    this._key = publishableKey;
    this._locale = (options && options.locale) || "";
  }

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options);
  };

  Stripe.prototype._request = function (method, path, params) {
    var url = API + path;
    var init = { method: method, headers: { Authorization: "Bearer " + this._key } };
    if (method === "GET") url += "?" + encode(params || {});
    else {
      init.headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = encode(params || {});
    }
    return fetch(url, init).then(
      function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      },
      function () {
        return { status: 0, body: { error: { type: "api_connection_error", code: "network" } } };
      }
    );
  };

  Stripe.prototype._error = function (error, lang) {
    var t = TEXT[lang];
    var key = error.decline_code || error.code;
    return Object.assign({}, error, { message: t[key] || error.message || t.network });
  };

  function redirect(url, params) {
    var target = new URL(url, window.location.href);
    Object.keys(params).forEach(function (k) {
      target.searchParams.set(k, params[k]);
    });
    window.location.assign(target.toString());
  }

  Stripe.prototype._confirm = function (kind, options) {
    options = options || {};
    var elements = options.elements;
    var confirmParams = options.confirmParams || {};
    var clientSecret = options.clientSecret || (elements && elements._clientSecret);
    var lang = elements ? elements._lang : language(this._locale);
    var element = elements && elements._payment;
    var self = this;
    var prefix = kind === "setup_intents" ? "setup_intent" : "payment_intent";
    var resultKey = kind === "setup_intents" ? "setupIntent" : "paymentIntent";
    if (!element || !element._fields) {
      return Promise.resolve({ error: { type: "validation_error", message: "No payment element is mounted." } });
    }
    var state = element._validate(true);
    if (state.error) return Promise.resolve({ error: state.error });
    element._showError("");
    var card = state.card;
    return this._request("POST", "/v1/payment_methods", {
      type: "card",
      card: { number: card.number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc },
      billing_details: (confirmParams.payment_method_data || {}).billing_details,
    })
      .then(function (pm) {
        if (pm.status !== 200) return pm;
        return self._request("POST", "/v1/" + kind + "/" + intentIdOf(clientSecret) + "/confirm", {
          client_secret: clientSecret,
          payment_method: pm.body.id,
          return_url: confirmParams.return_url,
        });
      })
      .then(function (answer) {
        if (answer.status !== 200) {
          var error = self._error(answer.body.error || {}, lang);
          element._showError(error.message);
          return { error: error };
        }
        var intent = answer.body;
        if (intent.status === "requires_action" && intent.next_action && intent.next_action.redirect_to_url) {
          redirect(intent.next_action.redirect_to_url.url, { locale: lang });
          return new Promise(function () {}); // the page is leaving
        }
        if (options.redirect === "if_required") {
          var result = {};
          result[resultKey] = intent;
          return result;
        }
        var params = { redirect_status: intent.status === "processing" ? "pending" : "succeeded" };
        params[prefix] = intent.id;
        params[prefix + "_client_secret"] = clientSecret;
        redirect(confirmParams.return_url, params);
        return new Promise(function () {});
      });
  };

  Stripe.prototype.confirmPayment = function (options) {
    return this._confirm("payment_intents", options);
  };

  Stripe.prototype.confirmSetup = function (options) {
    return this._confirm("setup_intents", options);
  };

  Stripe.prototype._retrieve = function (kind, clientSecret) {
    var self = this;
    return this._request("GET", "/v1/" + kind + "/" + intentIdOf(clientSecret), { client_secret: clientSecret }).then(
      function (answer) {
        if (answer.status !== 200) return { error: self._error(answer.body.error || {}, language(self._locale)) };
        var result = {};
        result[kind === "setup_intents" ? "setupIntent" : "paymentIntent"] = answer.body;
        return result;
      }
    );
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    return this._retrieve("payment_intents", clientSecret);
  };

  Stripe.prototype.retrieveSetupIntent = function (clientSecret) {
    return this._retrieve("setup_intents", clientSecret);
  };

  Stripe.prototype.handleNextAction = function (options) {
    var clientSecret = (options || {}).clientSecret;
    var kind = intentIdOf(clientSecret).indexOf("seti_") === 0 ? "setup_intents" : "payment_intents";
    var lang = language(this._locale);
    return this._retrieve(kind, clientSecret).then(function (result) {
      var intent = result.paymentIntent || result.setupIntent;
      if (intent && intent.status === "requires_action" && intent.next_action && intent.next_action.redirect_to_url) {
        redirect(intent.next_action.redirect_to_url.url, { locale: lang });
        return new Promise(function () {});
      }
      return result;
    });
  };

  Stripe.version = 3;
  Stripe.fake = true;
  window.Stripe = Stripe;
})();
