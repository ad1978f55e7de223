// The API explorer: Swagger UI on twlab's own OpenAPI document. Calls need a bearer token
// ("Authorize"): `twlab whoami` names the credential the CLI uses.
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#api", tryItOutEnabled: false });
