// Formsets: a button with data-formset-add="<prefix>" appends a copy of <template id="<prefix>-empty">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const index = parseInt(total.value, 10);
  const html = template.innerHTML.replace(/__prefix__/g, String(index));
  document.getElementById(`${prefix}-rows`).insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
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
