// Vehicle sketch input: a click (or tap) on one of the drawings stores the drawing ("view") and the
// point in percent of that drawing's box in the form's hidden fields view/x/y, shows a marker there
// and suggests the damage area. Boxes come from the data-* attributes rendered by _sketch.html.
(function () {
  "use strict";

  function clamp(value) {
    return Math.min(100, Math.max(0, value));
  }

  function suggestArea(view, x, y, fallback) {
    if (view === "top") {
      if (y < 24) return "front";
      if (y > 84) return "rear";
      if ((y > 26 && y < 36) || (y > 70 && y < 80)) return "glass";
      if (x < 14) return "left";
      if (x > 86) return "right";
      return "roof";
    }
    if (view === "left" || view === "right") {
      const wheelX = view === "left" ? x < 40 : x > 60;
      if (wheelX && (Math.abs(y - 18) < 7 || Math.abs(y - 83) < 7)) return "wheels";
      if (y < 10) return "front";
      if (y > 90) return "rear";
    }
    return fallback;
  }

  function init(svg) {
    const form = svg.closest("form");
    if (!form) return;
    const field = (name) => form.querySelector(`[name="${name}"]`);
    const view = field("view");
    const x = field("x");
    const y = field("y");
    const area = field("area");
    const pending = svg.querySelector("#sketch-pending");
    const hint = form.querySelector("[data-sketch-hint]");
    let areaChosen = Boolean(area && area.value);
    if (area) area.addEventListener("change", () => { areaChosen = true; });

    function boxOf(name) {
      return svg.querySelector(`.sketch-hit[data-view="${name}"]`);
    }

    function show() {
      const box = view.value ? boxOf(view.value) : null;
      if (!box || x.value === "" || y.value === "") {
        pending.classList.add("d-none");
        if (hint) hint.hidden = false;
        return;
      }
      const d = box.dataset;
      const cx = Number(d.x) + (parseFloat(x.value) * Number(d.w)) / 100;
      const cy = Number(d.y) + (parseFloat(y.value) * Number(d.h)) / 100;
      pending.setAttribute("transform", `translate(${cx} ${cy})`);
      pending.classList.remove("d-none");
      if (hint) hint.hidden = true;
    }

    svg.addEventListener("click", (event) => {
      const box = event.target.closest(".sketch-hit");
      if (!box) return;
      const point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      const p = point.matrixTransform(svg.getScreenCTM().inverse());
      const d = box.dataset;
      const px = clamp(((p.x - Number(d.x)) / Number(d.w)) * 100);
      const py = clamp(((p.y - Number(d.y)) / Number(d.h)) * 100);
      view.value = d.view;
      x.value = px.toFixed(2);
      y.value = py.toFixed(2);
      if (area && !areaChosen) area.value = suggestArea(d.view, px, py, d.area);
      show();
    });

    const clear = form.querySelector("[data-sketch-clear]");
    if (clear) {
      clear.addEventListener("click", () => {
        view.value = "";
        x.value = "";
        y.value = "";
        show();
      });
    }
    show();
  }

  document.querySelectorAll("svg[data-sketch-input]").forEach(init);
})();
