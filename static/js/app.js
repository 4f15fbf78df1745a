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

// Errors of HTMX requests are shown where the user looks, on every page. HTMX swaps nothing for a
// 4xx or 5xx by default, so a refused form or filter would look as if nothing happened: a response
// that carries the element being replaced (a page re-rendered with its error in place) is swapped
// in; any other answer becomes an error toast with the response's message.
(function () {
  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box) { box = document.createElement("div"); box.id = "toasts"; box.className = "toasts"; document.body.appendChild(box); }
    var item = document.createElement("div");
    item.className = "toast toast-error";
    item.setAttribute("role", "alert");
    item.dataset.testid = "htmx-error";
    item.textContent = message;
    var close = document.createElement("button");
    close.type = "button"; close.className = "toast-close"; close.setAttribute("aria-label", "Dismiss"); close.textContent = "×";
    item.appendChild(close);
    box.appendChild(item);
  }
  function messageOf(xhr) {
    var text = xhr.responseText || "";
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("json") !== -1) {
      try { var body = JSON.parse(text); return (body.error && body.error.message) || body.detail || text; } catch (e) { return text; }
    }
    if (type.indexOf("html") !== -1) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var alert = doc.querySelector("[role=alert], .errorlist, h1");
      text = (alert || doc.body).textContent;
    }
    text = text.replace(/\s+/g, " ").trim();
    return text.slice(0, 300) || ("The server answered " + xhr.status + ".");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    var target = event.detail.target;
    if (target && target.id && (xhr.responseText || "").indexOf('id="' + target.id + '"') !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    toast(messageOf(xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    toast("The server could not be reached. Check the connection and try again.");
  });
})();
