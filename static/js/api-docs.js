// The interactive API reference on /api/docs: reads the OpenAPI document,
// draws every operation grouped by tag (parameters, request body and
// responses, with `$ref`s resolved to the component schemas) and a "Try it"
// form that calls the API from this page, with the visitor's own session.
//
// Every node is built with createElement and filled with textContent: no
// text from the description or from a response is ever parsed as markup.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const SESSION_URL = "/api/v1/session";
const CSRF_HEADER = "X-CSRF-Token";
const MAX_SCHEMA_DEPTH = 8;
const MAX_BODY_CHARS = 200000;
// HTTP/2 carries no reason phrase; these are shown instead.
const REASONS = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
  301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict",
  413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout", 507: "Insufficient Storage",
};

// --- DOM helpers -----------------------------------------------------------

// el("p", { class: "x", for: "id" }, "text", childNode, …)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

// Replaces a node's children (arrays, strings and nulls as for el()).
function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.append(child);
    else node.append(document.createTextNode(String(child)));
  }
  return node;
}

// Text where `backticks` become <code>; everything else stays plain text.
function prose(tag, text, attrs) {
  const node = el(tag, attrs);
  String(text)
    .split("`")
    .forEach((part, i) => {
      if (part === "") return;
      node.append(i % 2 === 1 ? el("code", {}, part) : document.createTextNode(part));
    });
  return node;
}

// Paragraphs separated by blank lines.
function paragraphs(text, cls) {
  return String(text || "")
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean)
    .map((p) => prose("p", p, { class: cls }));
}

function slug(text) {
  return String(text).replace(/[^A-Za-z0-9_-]+/g, "-");
}

// --- Schemas -----------------------------------------------------------------

function refName(ref) {
  return String(ref).split("/").pop();
}

// The schema a local `$ref` points to (`#/components/schemas/Name`), or null.
function resolveRef(spec, ref) {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return null;
  let node = spec;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return null;
    node = node[key];
  }
  return node && typeof node === "object" ? node : null;
}

// Follows `$ref`s; returns the schema and the name of the last one followed.
function deref(spec, schema, seen = new Set()) {
  let name = null;
  let current = schema;
  while (current && typeof current === "object" && typeof current.$ref === "string") {
    if (seen.has(current.$ref)) break;
    seen.add(current.$ref);
    name = refName(current.$ref);
    const next = resolveRef(spec, current.$ref);
    if (!next) break;
    current = next;
  }
  return { schema: current || {}, name };
}

function isNullSchema(s) {
  return s && (s.type === "null" || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === "null"));
}

// A short type label: "integer (int64)", "array of CartLine", "string | null".
function typeLabel(spec, schema, depth = 0) {
  if (!schema || typeof schema !== "object") return "any";
  if (depth > MAX_SCHEMA_DEPTH) return "…";
  if (typeof schema.$ref === "string") return refName(schema.$ref);
  const variants = schema.oneOf || schema.anyOf;
  if (Array.isArray(variants)) {
    return variants.map((v) => typeLabel(spec, v, depth + 1)).join(" | ");
  }
  if (Array.isArray(schema.allOf)) {
    return schema.allOf.map((v) => typeLabel(spec, v, depth + 1)).join(" & ");
  }
  let types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) {
    if (schema.properties) types = ["object"];
    else if (schema.items) types = ["array"];
    else return "any";
  }
  return types
    .map((t) => {
      if (t === "array") return `array of ${typeLabel(spec, schema.items, depth + 1)}`;
      return schema.format && t !== "null" ? `${t} (${schema.format})` : t;
    })
    .join(" | ");
}

// Limits and other facts worth showing next to a type.
function constraints(schema) {
  const out = [];
  if (!schema || typeof schema !== "object") return out;
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.exclusiveMaximum !== undefined) out.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.pattern !== undefined) out.push(`pattern ${schema.pattern}`);
  if (schema.minItems !== undefined) out.push(`min items ${schema.minItems}`);
  if (schema.maxItems !== undefined) out.push(`max items ${schema.maxItems}`);
  if (Array.isArray(schema.enum)) out.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}

// The schema whose fields to list under a type: the object itself, an
// array's items, or the one non-null variant of a nullable `oneOf`.
function expandable(spec, schema, seen) {
  const { schema: s, name } = deref(spec, schema, seen);
  if (s.properties && typeof s.properties === "object") return { schema: s, name };
  if (s.items) return expandable(spec, s.items, seen);
  const variants = s.oneOf || s.anyOf;
  if (Array.isArray(variants)) {
    const real = variants.filter((v) => !isNullSchema(deref(spec, v).schema));
    if (real.length === 1) return expandable(spec, real[0], seen);
  }
  return null;
}

// The fields of an object schema as a nested list, refs resolved; a schema
// already being shown higher up (a cycle) is named, not expanded again.
function renderFields(spec, schema, stack = [], depth = 0) {
  const target = expandable(spec, schema, new Set());
  if (!target || depth > MAX_SCHEMA_DEPTH) return null;
  if (target.name && stack.includes(target.name)) return null;
  const inner = target.name ? [...stack, target.name] : stack;
  const s = target.schema;
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  const list = el("ul", { class: "api-fields" });
  for (const [prop, sub] of Object.entries(s.properties)) {
    const resolved = deref(spec, sub).schema;
    const facts = constraints(resolved);
    const item = el(
      "li",
      { class: "api-field" },
      el(
        "div",
        { class: "api-field-head" },
        el("code", { class: "api-field-name" }, prop),
        el("span", { class: "api-type" }, typeLabel(spec, sub)),
        required.has(prop) ? el("span", { class: "api-flag api-flag-required" }, "required") : null,
        resolved.readOnly ? el("span", { class: "api-flag" }, "read-only") : null,
        facts.length ? el("span", { class: "api-facts" }, facts.join(", ")) : null,
      ),
      resolved.description || sub.description
        ? prose("p", sub.description || resolved.description, { class: "api-field-desc" })
        : null,
      renderFields(spec, sub, inner, depth + 1),
    );
    list.append(item);
  }
  if (s.additionalProperties === false) {
    list.append(el("li", { class: "api-field api-field-note" }, "No other fields are accepted."));
  }
  return list;
}

function renderSchema(spec, schema) {
  const { schema: s } = deref(spec, schema);
  const facts = constraints(s);
  return el(
    "div",
    { class: "api-schema" },
    el(
      "p",
      { class: "api-schema-type" },
      el("span", { class: "api-type" }, typeLabel(spec, schema)),
      facts.length ? el("span", { class: "api-facts" }, facts.join(", ")) : null,
    ),
    s.description ? prose("p", s.description, { class: "api-field-desc" }) : null,
    renderFields(spec, schema),
  );
}

// A plausible example value for a JSON body, from the schema alone.
function example(spec, schema, key = "", depth = 0) {
  const { schema: s } = deref(spec, schema);
  if (depth > MAX_SCHEMA_DEPTH) return null;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const variants = s.oneOf || s.anyOf;
  if (Array.isArray(variants) && variants.length) {
    const real = variants.find((v) => !isNullSchema(deref(spec, v).schema));
    return real ? example(spec, real, key, depth + 1) : null;
  }
  const types = Array.isArray(s.type) ? s.type : [s.type || (s.properties ? "object" : "string")];
  const type = types.find((t) => t !== "null") || "null";
  switch (type) {
    case "object": {
      const out = {};
      const required = new Set(Array.isArray(s.required) ? s.required : []);
      for (const [prop, sub] of Object.entries(s.properties || {})) {
        const value = example(spec, sub, prop, depth + 1);
        if (required.has(prop) || value !== null) out[prop] = value;
      }
      return out;
    }
    case "array":
      return s.items ? [example(spec, s.items, key, depth + 1)] : [];
    case "integer":
    case "number":
      return typeof s.minimum === "number" && s.minimum > 0 ? s.minimum : 1;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      if (types.includes("null")) return null;
      if (/email/i.test(key) || s.format === "email") return "shopper@example.com";
      if (/password/i.test(key)) return "";
      return "";
  }
}

// --- Operations ----------------------------------------------------------------

function operations(spec) {
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    if (!item || typeof item !== "object") continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== "object") continue;
      const own = Array.isArray(op.parameters) ? op.parameters : [];
      const params = [...shared, ...own]
        .map((p) => deref(spec, p).schema)
        .filter((p) => p && typeof p.name === "string");
      const id = slug(op.operationId || `${method}-${path}`);
      ops.push({ path, method: method.toUpperCase(), op, params, id });
    }
  }
  return ops;
}

// utoipa puts the handler's doc line, "METHOD /path — what it does", in the
// summary; the method and path are shown already.
function summaryText({ op, method, path }) {
  const text = String(op.summary || "").replace(/\s*\n\s*/g, " ").trim();
  const prefix = `${method} ${path}`;
  if (text.startsWith(prefix)) {
    const rest = text.slice(prefix.length).replace(/^\s*[—–:-]+\s*/, "");
    return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : "";
  }
  return text;
}

function isCsrfParam(p) {
  return p.in === "header" && p.name.toLowerCase() === CSRF_HEADER.toLowerCase();
}

function methodBadge(method) {
  return el("span", { class: `api-method api-method-${method.toLowerCase()}` }, method);
}

function renderParams(spec, params) {
  const rows = params.map((p) => {
    const schema = p.schema || (p.content && Object.values(p.content)[0]?.schema) || {};
    const facts = constraints(deref(spec, schema).schema);
    return el(
      "tr",
      {},
      el("td", {}, el("code", {}, p.name)),
      el("td", {}, p.in),
      el("td", {}, el("span", { class: "api-type" }, typeLabel(spec, schema))),
      el("td", {}, p.required ? el("span", { class: "api-flag api-flag-required" }, "required") : "optional"),
      el(
        "td",
        {},
        p.description ? prose("span", p.description) : null,
        facts.length ? el("span", { class: "api-facts" }, ` ${facts.join(", ")}`) : null,
        isCsrfParam(p) ? el("span", { class: "api-facts" }, " Filled in by “Try it”.") : null,
      ),
    );
  });
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "data-table api-params" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Name", "In", "Type", "Required", "Description"].map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
}

// Each media type with its schema; `folded` puts the schema behind a
// disclosure (error responses, which mostly share one problem schema).
function renderContent(spec, content, folded = false) {
  return Object.entries(content || {}).map(([type, media]) => {
    const schema = media && media.schema ? renderSchema(spec, media.schema) : null;
    if (folded && schema) {
      return el(
        "details",
        { class: "api-media api-media-folded" },
        el(
          "summary",
          {},
          el("code", {}, type),
          " ",
          el("span", { class: "api-type" }, typeLabel(spec, media.schema)),
        ),
        schema,
      );
    }
    return el(
      "div",
      { class: "api-media" },
      el("p", { class: "api-media-type" }, el("code", {}, type)),
      schema,
    );
  });
}

function renderRequestBody(spec, op) {
  const body = deref(spec, op.requestBody).schema;
  return el(
    "section",
    { class: "api-block" },
    el("h4", {}, "Request body", body.required ? el("span", { class: "api-flag api-flag-required" }, "required") : null),
    body.description ? paragraphs(body.description, "api-field-desc") : null,
    renderContent(spec, body.content),
  );
}

function statusClass(code) {
  const first = String(code).charAt(0);
  return /[1-5]/.test(first) ? `api-status-${first}xx` : "api-status-other";
}

function renderResponses(spec, op) {
  const list = el("div", { class: "api-responses" });
  for (const [code, raw] of Object.entries(op.responses || {})) {
    const response = deref(spec, raw).schema;
    const headers = Object.entries(response.headers || {});
    list.append(
      el(
        "div",
        { class: "api-response" },
        el(
          "p",
          { class: "api-response-head" },
          el("span", { class: `api-code ${statusClass(code)}` }, code),
          response.description ? prose("span", response.description, { class: "api-response-desc" }) : null,
        ),
        headers.length
          ? el(
              "ul",
              { class: "api-fields" },
              headers.map(([name, h]) => {
                const header = deref(spec, h).schema;
                return el(
                  "li",
                  { class: "api-field" },
                  el(
                    "div",
                    { class: "api-field-head" },
                    el("code", { class: "api-field-name" }, name),
                    el("span", { class: "api-flag" }, "header"),
                    el("span", { class: "api-type" }, typeLabel(spec, header.schema)),
                  ),
                  header.description ? prose("p", header.description, { class: "api-field-desc" }) : null,
                );
              }),
            )
          : null,
        renderContent(spec, response.content, !/^2/.test(code)),
      ),
    );
  }
  return el("section", { class: "api-block" }, el("h4", {}, "Responses"), list);
}

// --- Try it ----------------------------------------------------------------------

function jsonBodySchema(spec, op) {
  if (!op.requestBody) return null;
  const body = deref(spec, op.requestBody).schema;
  const content = body.content || {};
  const type = Object.keys(content).find((t) => /json/i.test(t));
  return type ? { type, schema: content[type].schema || {}, required: !!body.required } : null;
}

function renderTryIt(spec, entry) {
  const { op, method, params, id } = entry;
  const form = el("form", { class: "api-try-form", novalidate: true });
  const inputs = [];

  const editable = params.filter((p) => !isCsrfParam(p) && ["path", "query", "header"].includes(p.in));
  if (editable.length) {
    const grid = el("div", { class: "api-try-params" });
    for (const p of editable) {
      const inputId = `${id}-${p.in}-${slug(p.name)}`;
      const input = el("input", {
        id: inputId,
        name: p.name,
        type: "text",
        autocomplete: "off",
        spellcheck: "false",
        required: p.required && p.in === "path",
        placeholder: p.description ? p.description.replace(/`/g, "") : "",
      });
      inputs.push({ param: p, input });
      grid.append(
        el(
          "div",
          { class: "field" },
          el(
            "label",
            { for: inputId },
            p.name,
            el("span", { class: "api-label-in" }, ` ${p.in}${p.required ? ", required" : ""}`),
          ),
          input,
        ),
      );
    }
    form.append(grid);
  }

  const body = jsonBodySchema(spec, op);
  let textarea = null;
  if (body) {
    const areaId = `${id}-body`;
    textarea = el("textarea", {
      id: areaId,
      name: "body",
      class: "api-code-input",
      rows: "6",
      spellcheck: "false",
      autocomplete: "off",
    });
    textarea.value = JSON.stringify(example(spec, body.schema), null, 2);
    form.append(
      el(
        "div",
        { class: "field" },
        el("label", { for: areaId }, "Body", el("span", { class: "api-label-in" }, ` ${body.type}`)),
        textarea,
      ),
    );
  }

  const unsafe = !SAFE_METHODS.has(method);
  const send = el("button", { type: "submit", class: "button button-primary" }, "Send");
  form.append(
    el(
      "div",
      { class: "api-try-actions" },
      send,
      unsafe ? el("span", { class: "hint" }, `The ${CSRF_HEADER} header is fetched from ${SESSION_URL} first.`) : null,
    ),
  );

  const result = el("div", { class: "api-result", "aria-live": "polite", hidden: true });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    try {
      await tryIt(entry, inputs, textarea, body, result);
    } finally {
      send.disabled = false;
    }
  });

  return el(
    "details",
    { class: "api-try" },
    el("summary", {}, "Try it"),
    el("div", { class: "api-try-body" }, form, result),
  );
}

function showError(result, message) {
  fill(result, el("p", { class: "notice notice-error" }, message));
  result.hidden = false;
}

async function csrfToken() {
  const response = await fetch(SESSION_URL, {
    credentials: "include",
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`${SESSION_URL} answered ${response.status}`);
  const session = await response.json();
  if (!session || typeof session.csrf_token !== "string") {
    throw new Error(`${SESSION_URL} gave no csrf_token`);
  }
  return session.csrf_token;
}

async function tryIt(entry, inputs, textarea, body, result) {
  const { method, path } = entry;
  let url = path;
  const query = new URLSearchParams();
  const headers = new Headers({ Accept: "application/json, application/problem+json" });

  for (const { param, input } of inputs) {
    const value = input.value;
    if (param.in === "path") {
      if (value === "") {
        input.setAttribute("aria-invalid", "true");
        input.focus();
        showError(result, `Fill in the path parameter “${param.name}”.`);
        return;
      }
      input.removeAttribute("aria-invalid");
      url = url.split(`{${param.name}}`).join(encodeURIComponent(value));
    } else if (value !== "") {
      if (param.in === "query") query.append(param.name, value);
      else {
        try {
          headers.set(param.name, value);
        } catch {
          showError(result, `“${param.name}” is not a valid header value.`);
          return;
        }
      }
    }
  }
  const qs = query.toString();
  if (qs) url += `?${qs}`;

  const init = { method, headers, credentials: "include", cache: "no-store", redirect: "manual" };
  if (textarea) {
    const text = textarea.value.trim();
    if (text !== "") {
      try {
        JSON.parse(text);
        textarea.removeAttribute("aria-invalid");
      } catch (e) {
        textarea.setAttribute("aria-invalid", "true");
        showError(result, `The body is not valid JSON: ${e.message}`);
        return;
      }
      init.body = text;
      headers.set("Content-Type", body.type);
    }
  }

  fill(result, el("p", { class: "api-status" }, `Sending ${method} ${url}…`));
  result.hidden = false;

  let response;
  const started = performance.now();
  try {
    if (!SAFE_METHODS.has(method)) headers.set(CSRF_HEADER, await csrfToken());
    response = await fetch(url, init);
  } catch (e) {
    showError(result, `The request failed: ${e.message}`);
    return;
  }
  const text = await response.text();
  const elapsed = Math.round(performance.now() - started);
  renderResult(result, method, url, response, text, elapsed);
}

function prettyBody(response, text) {
  const type = response.headers.get("content-type") || "";
  if (/json/i.test(type) && text.trim() !== "") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}

function renderResult(result, method, url, response, text, elapsed) {
  const headerRows = [];
  response.headers.forEach((value, name) => headerRows.push([name, value]));
  headerRows.sort((a, b) => a[0].localeCompare(b[0]));
  let shown = prettyBody(response, text);
  let cut = false;
  if (shown.length > MAX_BODY_CHARS) {
    shown = shown.slice(0, MAX_BODY_CHARS);
    cut = true;
  }
  const status = response.type === "opaqueredirect" ? "redirect" : String(response.status);
  fill(result,
    el(
      "p",
      { class: "api-result-head" },
      el("span", { class: `api-code ${statusClass(status)}` }, status),
      el("span", { class: "api-reason" }, response.statusText || REASONS[response.status] || ""),
      el("code", { class: "api-result-url" }, `${method} ${url}`),
      el("span", { class: "api-facts" }, `${elapsed} ms`),
    ),
    el(
      "details",
      { class: "api-result-headers" },
      el("summary", {}, `Response headers (${headerRows.length})`),
      el(
        "dl",
        {},
        headerRows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]),
      ),
    ),
    shown === ""
      ? el("p", { class: "api-facts" }, "No body.")
      : el("pre", { class: "api-pre" }, el("code", {}, shown)),
    cut ? el("p", { class: "api-facts" }, `Shown: the first ${MAX_BODY_CHARS} characters.`) : null,
  );
  result.hidden = false;
}

// --- The page ---------------------------------------------------------------------

function renderOperation(spec, entry) {
  const { op, method, path, params, id } = entry;
  const summary = summaryText(entry);
  return el(
    "details",
    { class: "api-op", id },
    el(
      "summary",
      { class: "api-op-summary" },
      methodBadge(method),
      el("code", { class: "api-path" }, path),
      summary ? prose("span", summary, { class: "api-op-title" }) : null,
      op.deprecated ? el("span", { class: "api-flag" }, "deprecated") : null,
    ),
    el(
      "div",
      { class: "api-op-body" },
      op.description ? paragraphs(op.description, "api-op-desc") : null,
      op.operationId ? el("p", { class: "api-facts" }, "Operation ", el("code", {}, op.operationId)) : null,
      params.length
        ? el("section", { class: "api-block" }, el("h4", {}, "Parameters"), renderParams(spec, params))
        : null,
      op.requestBody ? renderRequestBody(spec, op) : null,
      renderResponses(spec, op),
      renderTryIt(spec, entry),
    ),
  );
}

function groupByTag(spec, ops) {
  const groups = new Map();
  for (const tag of Array.isArray(spec.tags) ? spec.tags : []) {
    if (tag && typeof tag.name === "string") groups.set(tag.name, { tag, ops: [] });
  }
  for (const entry of ops) {
    const names = Array.isArray(entry.op.tags) && entry.op.tags.length ? entry.op.tags : ["other"];
    const name = String(names[0]);
    if (!groups.has(name)) groups.set(name, { tag: { name }, ops: [] });
    groups.get(name).ops.push(entry);
  }
  return [...groups.values()].filter((g) => g.ops.length);
}

function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  const target = document.getElementById(id);
  if (target instanceof HTMLDetailsElement) {
    target.open = true;
    target.scrollIntoView({ block: "start" });
  }
}

function render(root, spec) {
  const opsRoot = root.querySelector("[data-api-ops]");
  const toc = root.querySelector("[data-api-toc]");
  const ops = operations(spec);
  const groups = groupByTag(spec, ops);
  const info = spec.info || {};

  const intro = el(
    "section",
    { class: "api-intro card" },
    el(
      "p",
      { class: "api-intro-head" },
      el("strong", {}, info.title || "API"),
      info.version ? el("span", { class: "badge badge-muted" }, `v${info.version}`) : null,
      spec.openapi ? el("span", { class: "badge badge-muted" }, `OpenAPI ${spec.openapi}`) : null,
    ),
    paragraphs(info.description),
  );

  const expand = el("button", { type: "button", class: "button button-small button-secondary" }, "Expand all");
  const collapse = el("button", { type: "button", class: "button button-small button-secondary" }, "Collapse all");
  const setAll = (open) => {
    for (const d of opsRoot.querySelectorAll("details.api-op")) d.open = open;
  };
  expand.addEventListener("click", () => setAll(true));
  collapse.addEventListener("click", () => setAll(false));

  const sections = groups.map(({ tag, ops: entries }) =>
    el(
      "section",
      { class: "api-tag", id: `tag-${slug(tag.name)}` },
      el("h2", { class: "api-tag-name" }, tag.name),
      tag.description ? prose("p", tag.description, { class: "api-tag-desc" }) : null,
      entries.map((entry) => renderOperation(spec, entry)),
    ),
  );

  fill(opsRoot,
    intro,
    el("div", { class: "api-toolbar" }, expand, collapse),
    sections,
  );

  fill(toc,
    el("p", { class: "api-toc-title" }, "Operations"),
    el(
      "ul",
      {},
      groups.map(({ tag, ops: entries }) =>
        el(
          "li",
          {},
          el("a", { href: `#tag-${slug(tag.name)}`, class: "api-toc-tag" }, tag.name),
          el(
            "ul",
            {},
            entries.map((entry) =>
              el(
                "li",
                {},
                el(
                  "a",
                  { href: `#${entry.id}` },
                  el("span", { class: `api-method api-method-${entry.method.toLowerCase()}` }, entry.method),
                  el("span", { class: "api-toc-path" }, entry.path),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  toc.hidden = false;

  window.addEventListener("hashchange", openTarget);
  openTarget();
}

async function main() {
  const root = document.getElementById("api-docs");
  if (!root) return;
  const status = root.querySelector("[data-api-status]");
  const specUrl = root.dataset.specUrl || "/api/openapi.json";
  try {
    const response = await fetch(specUrl, { credentials: "include", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const spec = await response.json();
    if (!spec || typeof spec !== "object" || typeof spec.paths !== "object") {
      throw new Error("not an OpenAPI document");
    }
    render(root, spec);
  } catch (e) {
    if (status) {
      status.textContent = `Could not load the API description (${e.message}).`;
      status.classList.add("notice", "notice-error");
    }
  }
}

main();
