// Customer card (customers/card.html, customers/_tabs_form.html). A file, not inline code, so a
// Content-Security-Policy without 'unsafe-inline' allows it.
(function () {
  const form = document.getElementById("customer-form");
  if (!form) return;

  // Tabs are client-side, so switching keeps unsaved input; a changed tab gets a yellow mark.
  const mark = (event) => {
    const pane = event.target.closest(".tab-pane");
    if (!pane) return;
    const button = document.getElementById(`tab-${pane.dataset.tab}-btn`);
    button.classList.add("bg-warning-subtle", "tab-changed");
    button.querySelector(".tab-changed-dot").classList.remove("d-none");
  };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);

  // The tab row is one scrollable line: keep the opened tab (e.g. the one with errors) in view.
  const tabRow = document.getElementById("customer-tabs");
  const scrollToTab = (button) => {
    if (!tabRow || !button) return;
    const left = button.offsetLeft - (tabRow.clientWidth - button.offsetWidth) / 2;
    tabRow.scrollTo({ left: Math.max(0, left) });
  };
  const fade = () => {
    if (tabRow) tabRow.classList.toggle("more-right", tabRow.scrollLeft + tabRow.clientWidth < tabRow.scrollWidth - 2);
  };
  scrollToTab(tabRow?.querySelector(".nav-link.active"));
  fade();
  tabRow?.addEventListener("shown.bs.tab", (event) => scrollToTab(event.target));
  tabRow?.addEventListener("scroll", fade, { passive: true });
  window.addEventListener("resize", fade);

  // Phones: the master data start folded (the header above shows address, e-mail and phone), so
  // documents, messages and activity are near the top; "Edit" or the section header unfolds them.
  // A page with errors, or one opened at #master-data, starts unfolded.
  const body = document.getElementById("master-data-body");
  const phone = window.matchMedia("(max-width: 767.98px)").matches;
  const hasErrors = form.querySelector(".tab-has-errors, .is-invalid, .alert-danger");
  if (body && phone && !hasErrors && window.location.hash !== "#master-data") {
    body.classList.remove("show");
    document.querySelector("[data-bs-target='#master-data-body']")?.setAttribute("aria-expanded", "false");
  }
  const unfold = () => {
    if (body && !body.classList.contains("show")) {
      bootstrap.Collapse.getOrCreateInstance(body, { toggle: false }).show();
    }
  };
  document.querySelector("[data-testid=customer-edit]")?.addEventListener("click", () => {
    unfold();
    form.querySelector("input:not([type=hidden]), select")?.focus({ preventScroll: true });
  });
  // Jumping to a section from the section bar unfolds the master data if that is the target.
  document.getElementById("card-sections")?.addEventListener("click", (event) => {
    if (event.target.closest("a[href='#master-data']")) unfold();
  });

  // Section bar (below xl, where the panels stand under the master data): one link per panel.
  const sections = document.getElementById("card-sections");
  if (sections) {
    for (const panel of document.querySelectorAll("section.card[id^='panel-']")) {
      const title = panel.querySelector(".card-header")?.textContent.trim();
      if (!title) continue;
      const link = document.createElement("a");
      link.className = "btn btn-sm btn-outline-secondary text-nowrap";
      link.href = `#${panel.id}`;
      link.textContent = title;
      link.dataset.testid = `section-${panel.id.replace(/^panel-/, "")}`;
      sections.appendChild(link);
    }
  }
})();
