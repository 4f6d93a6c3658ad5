/* The pages' small behaviours, declared by data- attributes instead of inline handlers, so
   that the Content-Security-Policy allows our own scripts only ([hardening] point 15;
   tuoyu.web.headers). Loaded by web/base.html on every page. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing a value submits its form.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  // <form data-confirm="question">: submitted only when the person confirms.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <a data-history-back href="/">: back to the previous page when there is one.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Tabs loaded by htmx (<a data-tab hx-get=…>): the one clicked becomes the active one.
  document.addEventListener("htmx:afterRequest", function (event) {
    var tab = event.detail && event.detail.elt;
    if (!tab || !tab.matches || !tab.matches("[data-tab]")) {
      return;
    }
    document.querySelectorAll("[data-tab]").forEach(function (a) {
      a.classList.toggle("active", a === tab);
      a.setAttribute("aria-selected", a === tab ? "true" : "false");
    });
  });

  // <div class="progress-bar" data-progress="42">: its width, set through the CSSOM (an
  // inline style attribute would need style-src 'unsafe-inline').
  function showProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showProgress(document);
  });
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail && event.detail.elt;
    showProgress(el && el.parentNode ? el.parentNode : document);
  });

  // <form data-unsaved-warning="question">: once something in it changed, leaving the page
  // without submitting it asks first ([accounts-ux] #9 point 3). The form then carries
  // data-unsaved="true" (what the browser tests look at); submitting it disarms the warning.
  function unsavedForm(el) {
    var form = el && (el.form || (el.closest && el.closest("form")));
    return form && form.hasAttribute("data-unsaved-warning") ? form : null;
  }
  function markUnsaved(event) {
    var form = unsavedForm(event.target);
    if (form) {
      form.setAttribute("data-unsaved", "true");
    }
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-unsaved-warning") && !event.defaultPrevented) {
      form.removeAttribute("data-unsaved");
    }
  });
  window.addEventListener("beforeunload", function (event) {
    var dirty = document.querySelector("form[data-unsaved-warning][data-unsaved]");
    if (dirty) {
      event.preventDefault();
      event.returnValue = dirty.getAttribute("data-unsaved-warning");
      return event.returnValue;
    }
  });
})();
