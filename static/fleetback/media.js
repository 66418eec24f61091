// Case media: drag-and-drop upload with one request per file and its progress, and reordering by
// drag. Without this script the forms post as they are (upload) and the arrow buttons reorder.
(function () {
  "use strict";

  function csrf(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function uploadOne(form, file, list) {
    return new Promise(function (resolve) {
      var row = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = file.name + " ";
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      row.appendChild(label);
      row.appendChild(bar);
      list.appendChild(row);
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf(form));
      data.append("files", file);
      var publicBox = form.querySelector("input[name=is_public]");
      if (publicBox && publicBox.checked) {
        data.append("is_public", "on");
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try {
          answer = JSON.parse(xhr.responseText);
        } catch (e) {
          answer = { errors: [xhr.statusText || "Error"] };
        }
        bar.value = 100;
        var errors = answer.errors || [];
        if (errors.length) {
          var message = document.createElement("div");
          message.className = "text-danger";
          message.setAttribute("role", "alert");
          message.textContent = errors.join(" ");
          row.appendChild(message);
        } else {
          row.classList.add("text-success");
        }
        resolve(errors.length === 0);
      });
      xhr.addEventListener("error", function () {
        row.classList.add("text-danger");
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function uploadAll(form, files) {
    var list = form.querySelector(".fb-progress");
    list.textContent = "";
    var failed = false;
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () {
        return uploadOne(form, file, list).then(function (ok) {
          failed = failed || !ok;
        });
      });
    });
    chain.then(function () {
      form.dataset.done = failed ? "errors" : "ok";
      if (!failed) {
        window.location.reload();
      }
    });
  }

  document.querySelectorAll("form.fb-upload").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files.length) {
        return;
      }
      event.preventDefault();
      uploadAll(form, input.files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
          form.classList.add("border-primary");
        }
      });
    });
    form.addEventListener("dragleave", function () {
      form.classList.remove("border-primary");
    });
    form.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      form.classList.remove("border-primary");
      uploadAll(form, event.dataTransfer.files);
    });
  });

  var section = document.querySelector("[data-reorder-url]");
  var list = section && section.querySelector("[data-testid=media-list]");
  if (!list) {
    return;
  }
  var dragged = null;
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li[draggable]");
    if (dragged && event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.id);
    }
  });
  function place(event) {
    // The dragged tile goes before or after the one under the pointer (left or right half).
    var target = event.target.closest("li[draggable]");
    if (!target || target === dragged) {
      return;
    }
    var box = target.getBoundingClientRect();
    var after = event.clientX > box.left + box.width / 2;
    list.insertBefore(dragged, after ? target.nextSibling : target);
  }
  list.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    event.preventDefault();
    place(event);
  });
  list.addEventListener("drop", function (event) {
    if (!dragged) {
      return;
    }
    event.preventDefault();
    place(event);
    dragged = null;
    var order = Array.prototype.map.call(list.querySelectorAll("li[data-id]"), function (li) {
      return li.dataset.id;
    });
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf(section));
    data.append("order", order.join(","));
    fetch(section.dataset.reorderUrl, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function () {
      window.location.reload();
    });
  });
})();
