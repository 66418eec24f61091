// Planning board: details of a bar on hover, focus or first tap; dragging a reservation to another
// vehicle row or day. The drop is posted to the board's move endpoint (the booking rules decide) and
// the board that comes back replaces this one, with a message saying what happened.
(() => {
  const START_DISTANCE = 6; // pixels before a press becomes a drag (a click stays a click)
  let drag = null;
  let swallowClick = false;

  const boardOf = (element) => element.closest("[data-board]");
  const details = (bar, text) => {
    const line = boardOf(bar)?.querySelector("[data-board-details]");
    if (line) line.textContent = text || "\u00a0";
  };

  // Hover and keyboard focus show the whole description (customer, number, status, period) above the board.
  document.addEventListener("pointerover", (event) => {
    const bar = event.target.closest(".board-bar");
    if (bar && !drag) details(bar, bar.title);
  });
  document.addEventListener("focusin", (event) => {
    const bar = event.target.closest(".board-bar");
    if (bar) details(bar, bar.title);
  });

  // On a touch screen the first tap on a bar shows its details, the second opens it.
  document.addEventListener(
    "click",
    (event) => {
      if (swallowClick) {
        swallowClick = false;
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      const bar = event.target.closest(".board-bar");
      if (!bar || !bar.dataset.touched) return;
      delete bar.dataset.touched;
      if (bar.classList.contains("is-selected")) return;
      event.preventDefault();
      boardOf(bar)
        ?.querySelectorAll(".board-bar.is-selected")
        .forEach((other) => other.classList.remove("is-selected"));
      bar.classList.add("is-selected");
      details(bar, bar.title);
    },
    true,
  );

  document.addEventListener("pointerdown", (event) => {
    const bar = event.target.closest(".board-bar");
    if (!bar) return;
    if (event.pointerType === "touch") bar.dataset.touched = "1";
    if (!bar.hasAttribute("data-draggable") || event.button !== 0) return;
    const lane = bar.closest(".board-lane");
    drag = {
      bar,
      lane,
      board: boardOf(bar),
      pointerId: event.pointerId,
      x0: event.clientX,
      y0: event.clientY,
      started: false,
      ghost: null,
      note: null,
      target: null,
      days: 0,
    };
  });

  function begin() {
    const rect = drag.bar.getBoundingClientRect();
    const ghost = drag.bar.cloneNode(true);
    ghost.removeAttribute("href");
    ghost.removeAttribute("id");
    ghost.classList.add("board-ghost");
    ghost.setAttribute("aria-hidden", "true");
    // Styles set through the CSSOM, which the Content-Security-Policy allows (inline style attributes it does not).
    ghost.style.left = `${rect.left}px`;
    ghost.style.top = `${rect.top}px`;
    ghost.style.width = `${rect.width}px`;
    ghost.style.height = `${rect.height}px`;
    const note = document.createElement("div");
    note.className = "board-ghost-note";
    note.setAttribute("aria-hidden", "true");
    document.body.append(ghost, note);
    document.body.classList.add("board-dragging");
    drag.ghost = ghost;
    drag.note = note;
    drag.started = true;
  }

  function rowAt(x, y) {
    const element = document.elementFromPoint(x, y);
    const row = element && element.closest(".board-row[data-vehicle]");
    return row && boardOf(row) === drag.board ? row : null;
  }

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.x0;
    const dy = event.clientY - drag.y0;
    if (!drag.started) {
      if (Math.hypot(dx, dy) < START_DISTANCE) return;
      begin();
    }
    event.preventDefault();
    drag.ghost.style.transform = `translate(${dx}px, ${dy}px)`;
    const dayWidth = drag.lane.getBoundingClientRect().width / Number(drag.board.dataset.days);
    drag.days = Math.round(dx / dayWidth);
    const row = rowAt(event.clientX, event.clientY);
    if (row !== drag.target) {
      drag.target?.classList.remove("is-drop-target");
      row?.classList.add("is-drop-target");
      drag.target = row;
    }
    const shift = drag.days === 0 ? "±0" : drag.days > 0 ? `+${drag.days}` : `${drag.days}`;
    drag.note.textContent = `${row ? row.dataset.plate : "–"} · ${shift} d`;
    drag.note.style.left = `${event.clientX + 12}px`;
    drag.note.style.top = `${event.clientY + 16}px`;
  });

  function end() {
    drag.ghost?.remove();
    drag.note?.remove();
    drag.target?.classList.remove("is-drop-target");
    document.body.classList.remove("board-dragging");
    drag = null;
  }

  document.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.started) {
      drag = null;
      return;
    }
    swallowClick = true; // the click that follows the drop must not open the contract
    window.setTimeout(() => {
      swallowClick = false;
    }, 0);
    const { bar, board, target, days } = drag;
    const fromRow = bar.closest(".board-row");
    end();
    if (!target || (target === fromRow && days === 0)) return;
    const data = board.dataset;
    htmx.ajax("POST", data.moveUrl, {
      source: board,
      target: "#board",
      swap: "outerHTML",
      values: {
        contract: bar.dataset.pk,
        vehicle: target.dataset.vehicle,
        days: String(days),
        view: data.view,
        day: data.day,
        station: data.station,
        group: data.group,
      },
    });
  });

  document.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.pointerId) end();
  });
  document.addEventListener("keydown", (event) => {
    if (drag && event.key === "Escape") end();
  });
  // A link's native drag (its URL as text) would steal the pointer from ours.
  document.addEventListener("dragstart", (event) => {
    if (event.target.closest?.(".board-bar[data-draggable]")) event.preventDefault();
  });
})();
