// weakmem's page: an editor, the bundled examples, and the results of
// /api/check, /api/matrix and /api/fix.  The URL's fragment holds the test
// and the options, so a copied link reproduces the page.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

// ---------------------------------------------------------------- editor
const TOKENS = /(\(\*[\s\S]*?\*\)|\/\*[\s\S]*?\*\/|\/\/[^\n]*)|("[^"\n]*")|\b(exists|forall|locations|filter|if|else|while|int|intptr_t|return)\b|\b(P\d+)\b|\b([A-Za-z_][A-Za-z0-9_]*)(?=\s*\()|(\b\d+\b)/g;
function highlight(text) {
  let out = "", last = 0, m;
  TOKENS.lastIndex = 0;
  while ((m = TOKENS.exec(text)) !== null) {
    out += esc(text.slice(last, m.index));
    const cls = m[1] ? "hl-c" : m[2] ? "hl-n" : m[3] ? "hl-k" : m[4] ? "hl-t" : m[5] ? "hl-f" : "hl-n";
    out += `<span class="${cls}">${esc(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  return out + esc(text.slice(last)) + "\n";
}
let badLine = 0;
function refresh() {
  const ta = $("test");
  $("highlight").innerHTML = highlight(ta.value);
  $("highlight").scrollTop = ta.scrollTop;
  $("highlight").scrollLeft = ta.scrollLeft;
  const mark = $("badline");
  if (badLine > 0) {
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 19;
    const pad = parseFloat(getComputedStyle(ta).paddingTop) || 8;
    mark.style.top = (pad + (badLine - 1) * lh - ta.scrollTop) + "px";
    mark.style.height = lh + "px";
    mark.classList.remove("hidden");
  } else mark.classList.add("hidden");
}
$("test").addEventListener("input", () => { badLine = 0; refresh(); });
$("test").addEventListener("scroll", refresh);
$("test").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  if (e.key === "Tab") { e.preventDefault(); document.execCommand("insertText", false, "    "); }
});

// ---------------------------------------------------------------- share links
function b64enc(s) { return btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""); }
function b64dec(s) { s = s.replace(/-/g, "+").replace(/_/g, "/"); return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0))); }
function selectedTargets() { return [...document.querySelectorAll("#targets input:checked")].map((i) => i.value); }
function stateToHash() {
  const p = new URLSearchParams();
  p.set("t", b64enc($("test").value));
  if ($("model").value) p.set("m", $("model").value);
  if ($("paste-cat").checked && $("cat").value) p.set("c", b64enc($("cat").value));
  const all = [...document.querySelectorAll("#targets input")];
  const sel = selectedTargets();
  if (sel.length !== all.length) p.set("x", sel.join(","));
  return "#" + p.toString();
}
function hashToState() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (!p.get("t")) return false;
  try {
    $("test").value = b64dec(p.get("t"));
    $("model").value = p.get("m") || "";
    if (p.get("c")) { $("paste-cat").checked = true; $("cat").value = b64dec(p.get("c")); }
    $("cat").classList.toggle("hidden", !$("paste-cat").checked);
    if (p.has("x")) {
      const want = new Set(p.get("x").split(",").filter(Boolean));
      document.querySelectorAll("#targets input").forEach((i) => { i.checked = want.has(i.value); });
    }
  } catch (e) { showError("error: the link's test could not be decoded"); return false; }
  refresh();
  return true;
}
$("share").addEventListener("click", async () => {
  history.replaceState(null, "", stateToHash());
  try { await navigator.clipboard.writeText(location.href); $("share-note").textContent = "link copied"; }
  catch (e) { $("share-note").textContent = "link in the address bar"; }
});
$("paste-cat").addEventListener("change", () => $("cat").classList.toggle("hidden", !$("paste-cat").checked));

// ---------------------------------------------------------------- results
function show(id, on) { $(id).classList.toggle("hidden", !on); }
function showError(msg, line) {
  $("error").textContent = msg; show("error", true);
  if (line) { badLine = line; refresh(); }
}
function clearResults() {
  ["error", "verdict", "matrix-box", "states-box", "why-box", "fix-box"].forEach((id) => show(id, false));
  show("placeholder", false);
  badLine = 0; refresh();
}
function vclass(v) { return ["Never", "Sometimes", "Always"].includes(v) ? "v-" + v : "v-other"; }

function renderCheck(d) {
  if (d.error) { showError(d.error, d.file === "test.litmus" ? d.line : 0); return; }
  const r = d.result || {};
  const v = d.undetermined ? "Undetermined" : r.verdict;
  const el = $("verdict");
  el.className = "verdict " + v;
  const what = v === "Never" ? "the outcome cannot happen" : v === "Sometimes" ? "the outcome can happen"
             : v === "Always" ? "the outcome always happens" : (d.undetermined || "no answer");
  el.innerHTML = `<b>${esc(v)}</b> — ${esc(what)} under <code>${esc(r.model || "")}</code>` +
    `<span class="sub">${esc(r.condition || "")}</span>` +
    (r.undetermined || d.undetermined ? "" : `<span class="sub">${r.candidates} candidate executions · ${r.pos} satisfy · ${r.neg} do not · ${r.seconds} s` +
     (r.flags && r.flags.length ? ` · flags: ${esc(r.flags.join(", "))}` : "") + `</span>`);
  show("verdict", true);
  if (d.undetermined) return;
  $("states").innerHTML = `<pre class="mono">${esc((r.states || []).join("\n"))}</pre>`;
  show("states-box", true);
  const why = d.explanation_text || "";
  $("why").innerHTML = why ? `<pre class="why">${esc(why)}</pre>` : "";
  $("graph").innerHTML = d.svg || "";
  show("why-box", !!(why || d.svg));
}

function renderMatrix(d) {
  if (d.error) { return; }               // the check's error is shown already
  if (!d.rows || !d.rows.length) {
    $("matrix").innerHTML = `<p class="note">${esc(d.note || "no rows")}</p>`;
  } else {
    const rows = d.rows.map((r) => `<tr><td>${esc(r.target)}</td><td>${esc(r.model)}</td>` +
      `<td class="${vclass(r.verdict)}">${esc(r.verdict)}${r.reason ? `<br><span class="note">${esc(r.reason)}</span>` : ""}</td>` +
      `<td class="instr">${esc(r.instructions)}</td></tr>`).join("");
    $("matrix").innerHTML = `<p class="note">${esc(d.dialect || "")} API · ${esc(d.condition || "")}</p>` +
      `<table><thead><tr><th>target</th><th>model</th><th>verdict</th><th>instructions</th></tr></thead><tbody>${rows}</tbody></table>` +
      (d.notes || []).map((n) => `<p class="note">note: ${esc(n)}</p>`).join("");
  }
  show("matrix-box", true);
}

function diffHtml(diff) {
  return esc(diff).split("\n").map((l) => l.startsWith("+") && !l.startsWith("+++") ? `<span class="add">${l}</span>`
    : l.startsWith("-") && !l.startsWith("---") ? `<span class="del">${l}</span>` : l).join("\n");
}
function renderFix(d) {
  if (d.error || d.unavailable) { if (d.unavailable) { $("fix").innerHTML = `<p class="note">${esc(d.unavailable)}</p>`; show("fix-box", true); } return; }
  if (d.undetermined) { $("fix").innerHTML = `<p class="note">Undetermined: ${esc(d.undetermined)}</p>`; show("fix-box", true); return; }
  let html = "";
  if (d.summary) html += `<p>${esc(d.summary)}</p>`;
  (d.fixes || []).forEach((f, i) => {
    const changes = (f.changes || []).map((c) => c.insert ? `P${c.thread} line ${c.line}: insert <code>${esc(c.insert)}</code>`
      : `P${c.thread} line ${c.line}: <code>${esc(c.replace)}</code> → <code>${esc(c.with)}</code>`).join("<br>");
    const cost = Object.entries(f.cost || {}).map(([k, v]) => `${esc(k)} ${esc(v)}`).join(" · ");
    html += `<div class="fix-item"><h4>${i === 0 ? "Best: " : ""}${changes}</h4><p class="note">cost: ${cost}</p>` +
      (f.diff ? `<div class="diff">${diffHtml(f.diff)}</div>` : "") +
      `<button data-fix="${i}" class="load-fix">Load the patched test</button></div>`;
  });
  if (!html) html = `<p class="note">no proposal</p>`;
  $("fix").innerHTML = html;
  document.querySelectorAll(".load-fix").forEach((b) => b.addEventListener("click", () => {
    $("test").value = d.fixes[+b.dataset.fix].litmus; refresh(); run();
  }));
  show("fix-box", true);
}

// ---------------------------------------------------------------- requests
async function post(path, body) {
  const resp = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  try { return await resp.json(); } catch (e) { return {error: `error: ${resp.status} ${resp.statusText}`}; }
}
let statusTimer = null;
function watchStatus(on) {
  clearInterval(statusTimer);
  $("status").textContent = on ? "running…" : "";
  if (!on) return;
  statusTimer = setInterval(async () => {
    try {
      const s = await (await fetch("/api/status")).json();
      $("status").textContent = s.queued > 0 ? `queued: ${s.queued} request(s) waiting for ${s.workers} worker(s)` : "running…";
    } catch (e) { /* ignore */ }
  }, 500);
}
async function run() {
  const body = {test: $("test").value, model: $("model").value,
                cat: $("paste-cat").checked ? $("cat").value : "", targets: selectedTargets()};
  history.replaceState(null, "", stateToHash());
  clearResults();
  $("run").disabled = true; watchStatus(true);
  try {
    const [c, m, f] = await Promise.all([post("/api/check", body), post("/api/matrix", body), post("/api/fix", body)]);
    renderCheck(c);
    if (!c.error) { renderMatrix(m); renderFix(f); }
  } catch (e) {
    showError("error: the server did not answer (" + e + ")");
  } finally {
    $("run").disabled = false; watchStatus(false);
  }
}
$("run").addEventListener("click", run);

// ---------------------------------------------------------------- start
async function start() {
  const [ex, models] = await Promise.all([(await fetch("/api/examples")).json(), (await fetch("/api/models")).json()]);
  const groups = {};
  ex.forEach((e) => (groups[e.group] = groups[e.group] || []).push(e.name));
  for (const [g, names] of Object.entries(groups)) {
    const og = document.createElement("optgroup"); og.label = g;
    names.forEach((n) => { const o = document.createElement("option"); o.value = n; o.textContent = n.replace(/^.*\//, ""); og.appendChild(o); });
    $("example").appendChild(og);
  }
  models.models.forEach((m) => { const o = document.createElement("option"); o.value = m.name; o.textContent = `${m.name} — ${m.title}`; $("model").appendChild(o); });
  models.targets.forEach((t) => {
    const l = document.createElement("label");
    l.innerHTML = `<input type="checkbox" value="${esc(t)}" checked> ${esc(t)}`;
    $("targets").appendChild(l);
  });
  $("example").addEventListener("change", async () => {
    if (!$("example").value) return;
    const d = await (await fetch("/api/example?name=" + encodeURIComponent($("example").value))).json();
    $("test").value = d.text || ""; refresh();
  });
  if (hashToState()) run(); else refresh();
}
start();
