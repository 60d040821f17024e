// The query page: catalogue queries with their parameters, the editor, and results as a table.
"use strict";
const catalogue = JSON.parse(document.getElementById("catalogue-data").textContent);
const words = JSON.parse(document.getElementById("words").textContent);
const byName = new Map(catalogue.map(q => [q.name, q]));
const select = document.getElementById("catalogue");
const editor = document.getElementById("editor");
const status = document.getElementById("status");
const tableBox = document.getElementById("table");
const csv = document.getElementById("csv");
const lang = document.documentElement.lang;

function showParams() {
  const query = byName.get(select.value);
  const box = document.getElementById("param-fields");
  box.replaceChildren();
  document.getElementById("description").textContent = query ? query.description : "";
  document.getElementById("params").hidden = !query || query.params.length === 0;
  if (!query) return;
  for (const p of query.params) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.name = p.name;
    input.value = p.name === "lang" ? lang : p.default;
    input.required = p.required;
    input.placeholder = p.type;
    input.dir = "ltr";
    label.append(`?${p.name} (${p.type}${p.required ? "" : `, ${words.optional}`}) `, input, ` ${p.description}`);
    box.append(label);
  }
}

async function load() {
  if (!select.value) return false;
  const params = new URLSearchParams();
  for (const input of document.querySelectorAll("#param-fields input")) {
    if (input.value !== "") params.set(input.name, input.value);
  }
  const response = await fetch(`/catalogue/${select.value}.rq?${params}`);
  const text = await response.text();
  if (!response.ok) { status.textContent = text; status.className = "error"; return false; }
  editor.value = text;
  return true;
}

// An IRI is a link only if it is http(s): `javascript:` and the like in the data stay text.
function linkable(iri) {
  try {
    const url = new URL(iri);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const base = "https://w3id.org/oic-tvet/";
    const text = term.value.startsWith(base + "id/") ? "id:" + term.value.slice(base.length + 3) : term.value;
    const target = term.value.startsWith(base) ? "/" + term.value.slice(base.length) : linkable(term.value);
    const shown = document.createElement(target ? "a" : "span");
    if (target) shown.href = target;
    shown.textContent = text;
    td.append(shown);
  } else {
    const span = document.createElement("span");
    span.dir = "auto";
    span.textContent = term.value;
    if (term["xml:lang"]) span.lang = term["xml:lang"];
    td.append(span);
  }
  return td;
}

async function run() {
  status.textContent = words.running;
  status.className = "";
  tableBox.replaceChildren();
  csv.hidden = true;
  const body = new URLSearchParams({ query: editor.value });
  const response = await fetch("/sparql", {
    method: "POST", body,
    headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
  });
  const type = response.headers.get("content-type") || "";
  if (!response.ok) {
    status.textContent = `HTTP ${response.status}: ${await response.text()}`;
    status.className = "error";
    return;
  }
  csv.href = "/sparql?" + new URLSearchParams({ query: editor.value, format: "csv" });
  if (!type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    tableBox.append(pre);
    status.textContent = `${response.headers.get("x-result-rows")} triples`;
    return;
  }
  const data = await response.json();
  if ("boolean" in data) { status.textContent = String(data.boolean); return; }
  const table = document.createElement("table");
  table.className = "results";
  const head = table.createTHead().insertRow();
  // A catalogue query's columns get their headings in the page's language; the variable is the tooltip.
  const headings = (byName.get(select.value) || {}).columns || {};
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = headings[v] || v;
    th.title = `?${v}`;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const row of data.results.bindings) {
    const tr = tbody.insertRow();
    for (const v of data.head.vars) tr.append(cell(row[v]));
  }
  tableBox.append(table);
  status.textContent = `${data.results.bindings.length} ${words.rows}`;
  csv.hidden = false;
}

select.addEventListener("change", async () => { showParams(); await load(); });
document.getElementById("load").addEventListener("click", load);
document.getElementById("run").addEventListener("click", run);
editor.addEventListener("keydown", e => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  if (e.key === "Tab") {
    e.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
  }
});
if (select.value) { showParams(); load(); }
