/* The API docs page (web/api_docs.html): Swagger UI on the document named by
   data-openapi-url. A file, not an inline script, for the Content-Security-Policy; no
   validator badge (it would call validator.swagger.io). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
