// Drawing on a photo: rectangles, circles and free pen lines in a colour, with undo. The shapes
// (coordinates as fractions of the photo) go to the server, which paints them on the original.
(function () {
  "use strict";
  var form = document.querySelector("form.fb-draw");
  if (!form) {
    return;
  }
  var image = form.querySelector("[data-draw-image]");
  var canvas = form.querySelector("[data-draw-canvas]");
  var field = form.querySelector("input[name=shapes]");
  var context = canvas.getContext("2d");
  var shapes = [];
  var current = null;
  var WIDTH = 0.006;
  canvas.style.touchAction = "none";

  function value(name) {
    var checked = form.querySelector("input[name=" + name + "]:checked");
    return checked ? checked.value : "";
  }

  function fit() {
    canvas.width = image.clientWidth;
    canvas.height = image.clientHeight;
    paint();
  }

  function drawShape(shape) {
    var w = canvas.width;
    var h = canvas.height;
    context.strokeStyle = shape.colour;
    context.lineWidth = Math.max(2, shape.width * w);
    context.lineJoin = "round";
    context.lineCap = "round";
    context.beginPath();
    var p = shape.points;
    if (shape.kind === "pen") {
      context.moveTo(p[0][0] * w, p[0][1] * h);
      for (var i = 1; i < p.length; i++) {
        context.lineTo(p[i][0] * w, p[i][1] * h);
      }
    } else {
      var x0 = Math.min(p[0][0], p[1][0]) * w;
      var y0 = Math.min(p[0][1], p[1][1]) * h;
      var x1 = Math.max(p[0][0], p[1][0]) * w;
      var y1 = Math.max(p[0][1], p[1][1]) * h;
      if (shape.kind === "rect") {
        context.rect(x0, y0, x1 - x0, y1 - y0);
      } else {
        context.ellipse((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, 0, 0, 2 * Math.PI);
      }
    }
    context.stroke();
  }

  function paint() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    shapes.forEach(drawShape);
    if (current) {
      drawShape(current);
    }
    field.value = JSON.stringify(shapes);
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width;
    var y = (event.clientY - box.top) / box.height;
    return [Math.min(1, Math.max(0, x)), Math.min(1, Math.max(0, y))];
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    var start = point(event);
    current = { kind: value("tool"), colour: value("colour"), width: WIDTH, points: [start, start] };
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!current) {
      return;
    }
    if (current.kind === "pen") {
      if (current.points.length < 2000) {
        current.points.push(point(event));
      }
    } else {
      current.points[1] = point(event);
    }
    paint();
  });
  function finish() {
    if (current) {
      shapes.push(current);
      current = null;
      paint();
    }
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  form.querySelector("[data-draw-undo]").addEventListener("click", function () {
    shapes.pop();
    paint();
  });
  if (image.complete) {
    fit();
  } else {
    image.addEventListener("load", fit);
  }
  window.addEventListener("resize", fit);
})();
