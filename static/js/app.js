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
