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
