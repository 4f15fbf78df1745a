// Toasts: dismiss on click, fade out after a few seconds. Works for toasts swapped in by HTMX too.
(function () {
  function arm(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    setTimeout(function () { toast.classList.add("leaving"); }, 6000);
    setTimeout(function () { toast.remove(); }, 6600);
  }
  function armAll() { document.querySelectorAll(".toast").forEach(arm); }
  document.addEventListener("click", function (event) {
    if (event.target.classList.contains("toast-close")) event.target.parentElement.remove();
  });
  document.addEventListener("DOMContentLoaded", armAll);
  document.addEventListener("htmx:afterSettle", armAll);
})();
