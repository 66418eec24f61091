// Booking form: show the courtesy-car fields only for a courtesy car, and refresh the list of free
// vehicles (htmx, #vehicle-field) when station, group or period change. Without JavaScript every
// field shows and "Show free vehicles" asks the server.
(() => {
  const form = document.getElementById("booking-form");
  if (!form) return;
  const kind = form.querySelector("[data-contract-kind]");
  const courtesy = form.querySelectorAll("[data-kind-only]");
  const showKindFields = () => {
    courtesy.forEach((box) => {
      box.hidden = box.dataset.kindOnly !== kind.value;
    });
  };
  kind.addEventListener("change", showKindFields);
  showKindFields();

  const watched = new Set(["pickup_station", "vehicle_group", "starts_at", "ends_at"]);
  form.addEventListener("change", (event) => {
    if (!watched.has(event.target.name)) return;
    document.getElementById("vehicle-field").dispatchEvent(new Event("availability-changed"));
  });
  // With JavaScript the list refreshes by itself.
  form.querySelector("[name=refresh]")?.classList.add("d-none");
})();
