// Formsets: a button with data-formset-add="<prefix>" appends a copy of <template id="<prefix>-empty">.
function formsetAdd(prefix) {
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const index = parseInt(total.value, 10);
  const html = template.innerHTML.replace(/__prefix__/g, String(index));
  const rows = document.getElementById(`${prefix}-rows`);
  rows.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  return rows.lastElementChild;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  formsetAdd(button.dataset.formsetAdd);
});

// A row's remove box (a checkbox inside the trash button) greys the row out while ticked.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-formset-remove]");
  if (box) box.closest(".formset-row").classList.toggle("opacity-25", box.checked);
});

// Opening hours: one interval for every ticked weekday at once (Mon–Fri 08:00–18:00 in one go).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-hours-quick-add]");
  if (!button) return;
  const box = button.closest("fieldset");
  const opens = box.querySelector("#quick-opens").value;
  const closes = box.querySelector("#quick-closes").value;
  box.querySelectorAll("[data-quick-day]:checked").forEach((day) => {
    const row = formsetAdd(button.dataset.hoursQuickAdd);
    row.querySelector("select").value = day.value;
    const times = row.querySelectorAll("input[type=time]");
    times[0].value = opens;
    times[1].value = closes;
  });
});

// "Load template" without a round trip: a button with data-template-load="<json script id>" fills
// subject and text from the chosen template and keeps everything else (attachments, files chosen).
// Without JavaScript the button submits and the server fills the fields.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-template-load]");
  if (!button) return;
  const data = document.getElementById(button.dataset.templateLoad);
  const select = button.form && button.form.elements.template;
  if (!data || !select || !select.value) return;
  const template = JSON.parse(data.textContent)[select.value];
  if (!template) return;
  event.preventDefault();
  button.form.elements.subject.value = template.subject;
  button.form.elements.body.value = template.body;
  document.body.dispatchEvent(new Event("template-loaded"));
});

// Behaviour that used to sit in inline handlers; the Content-Security-Policy allows no inline code.

// <button data-confirm="Question?">: ask before submitting or following.
document.addEventListener("click", (event) => {
  const element = event.target.closest("[data-confirm]");
  if (element && !window.confirm(element.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});

// <a data-focus-first="#form">: focus the first visible field of that form.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-focus-first]");
  if (!link) return;
  const selector = link.dataset.focusFirst;
  document.querySelector(`${selector} input:not([type=hidden]), ${selector} select`)?.focus();
});

document.addEventListener("change", (event) => {
  // <select data-autosubmit>: submit the form on change.
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

// Customer card: tabs are client-side, so switching keeps unsaved input; a changed tab gets a yellow mark.
const markChangedTab = (event) => {
  if (!event.target.closest || !event.target.closest("#customer-form")) return;
  const pane = event.target.closest(".tab-pane");
  if (!pane) return;
  const button = document.getElementById(`tab-${pane.dataset.tab}-btn`);
  if (!button) return;
  button.classList.add("bg-warning-subtle", "tab-changed");
  button.querySelector(".tab-changed-dot")?.classList.remove("d-none");
};
document.addEventListener("input", markChangedTab);
document.addEventListener("change", markChangedTab);

// Top-bar customer search: arrows move between hits, Escape or a click elsewhere closes the dropdown.
(() => {
  const input = document.getElementById("global-search");
  const box = document.getElementById("global-search-results");
  if (!input || !box) return;
  const hits = () => Array.from(box.querySelectorAll("a.list-group-item"));
  const close = () => {
    box.innerHTML = "";
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && hits().length) {
      event.preventDefault();
      hits()[0].focus();
    } else if (event.key === "Escape") {
      close();
    }
  });
  box.addEventListener("keydown", (event) => {
    const list = hits();
    const index = list.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < list.length - 1) {
      event.preventDefault();
      list[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? list[index - 1] : input).focus();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!box.contains(event.target) && event.target !== input) close();
  });
})();
