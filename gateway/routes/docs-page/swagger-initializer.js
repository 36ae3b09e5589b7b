// Starts Swagger UI on the documentation page (GET /docs). A file of its own, served by the gateway,
// so that the page runs under the Content-Security-Policy script-src 'self' (no inline script).
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute('data-url'),
    domNode: root,
    deepLinking: true,
    // No badge fetched from validator.swagger.io: the page loads nothing from elsewhere.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
