// Protocol capture pages: previews of chosen photos before upload, and the signature pads.
// No inline code (the Content-Security-Policy allows only our own scripts): everything is wired here
// from data-* attributes rendered by protocols/templates/protocols/capture/.
(function () {
  "use strict";

  // Photo preview: data: URLs (the CSP allows data: images, not blob:).
  document.querySelectorAll("input[type=file][data-photo-preview]").forEach((input) => {
    const box = document.querySelector(`[data-preview-for="${input.id}"]`);
    if (!box) return;
    input.addEventListener("change", () => {
      box.replaceChildren();
      Array.from(input.files || []).forEach((file) => {
        if (!file.type.startsWith("image/")) return;
        const reader = new FileReader();
        reader.addEventListener("load", () => {
          const img = document.createElement("img");
          img.src = reader.result;
          img.alt = file.name;
          img.className = "rounded border photo-preview-image";
          img.dataset.testid = "photo-preview";
          box.appendChild(img);
        });
        reader.readAsDataURL(file);
      });
    });
  });

  // Signature pads: the drawing travels as a PNG data URL in the form's hidden field.
  if (typeof window.SignaturePad === "undefined") return;
  document.querySelectorAll("form[data-signature-form]").forEach((form) => {
    const canvas = form.querySelector("canvas[data-signature-pad]");
    const value = form.querySelector("[data-signature-value]");
    if (!canvas || !value) return;
    const pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)", penColor: "rgb(0, 0, 64)" });

    function resize() {
      // Draw at the screen's pixel density; resizing clears the canvas, so keep the strokes.
      const data = pad.toData();
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();

    const clear = form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", () => { pad.clear(); value.value = ""; });
    form.addEventListener("submit", () => {
      value.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    });
  });
})();
