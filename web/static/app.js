// Progressive help only: every page works without it.
// A form disables its buttons once submitted, so a double click sends one request
// (the server would replay the first answer anyway: each form carries an idempotency key).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.method.toLowerCase() !== "post") { return; }
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  var clicked = event.submitter;
  if (clicked && clicked.name) {
    // a disabled button is not submitted: keep its value (批准 / 驳回)
    var kept = document.createElement("input");
    kept.type = "hidden"; kept.name = clicked.name; kept.value = clicked.value;
    form.appendChild(kept);
  }
  setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
});
