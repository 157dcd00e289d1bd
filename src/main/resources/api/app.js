"use strict";
// The service writes its settings on the body's data attributes: no inline script, so the CSP needs no hash.
const POLL_MS = Number(document.body.dataset.pollMs);
const POLL_MAX_MS = Number(document.body.dataset.pollMaxMs);
const DEFAULT_DAYS = Number(document.body.dataset.defaultDays);
const $ = id => document.getElementById(id);

function token() { return sessionStorage.getItem("silo-reports-token") || ""; }

async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + token() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401) { $("token-state").textContent = "This token is not accepted."; }
  if (!r.ok) { throw new Error((data && data.error) || ("HTTP " + r.status)); }
  return data;
}

function isoDate(d) { return d.toISOString().slice(0, 10); }

function defaults() {
  const tomorrow = new Date(); tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  const from = new Date(tomorrow); from.setUTCDate(from.getUTCDate() - DEFAULT_DAYS);
  $("to").value = isoDate(tomorrow);
  $("from").value = isoDate(from);
}

async function loadSilos() {
  try {
    const data = await api("GET", "/api/silos");
    const list = $("silo-list");
    list.textContent = "";
    if (data.silos.length === 0) { list.textContent = "No silo has data yet."; return; }
    for (const id of data.silos) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.className = "silo"; box.value = id; box.disabled = $("all-silos").checked;
      label.append(box, " Silo " + id);
      list.append(label);
    }
  } catch (e) { $("silo-list").textContent = "Silos could not be loaded: " + e.message; }
}

function cell(row, text) { const td = document.createElement("td"); td.textContent = text || ""; row.append(td); return td; }

async function loadJobs() {
  try {
    const data = await api("GET", "/api/reports?limit=10");
    const body = $("jobs");
    body.textContent = "";
    for (const j of data.jobs) {
      const tr = document.createElement("tr");
      cell(tr, j.jobId);
      const s = cell(tr, j.status); s.className = "status " + j.status;
      cell(tr, j.requestedBy);
      cell(tr, (j.createdAt || "").replace("T", " ").slice(0, 19));
      cell(tr, (j.finishedAt || "").replace("T", " ").slice(0, 19));
      const last = cell(tr, "");
      if (j.downloadUrl) { const a = document.createElement("a"); a.href = j.downloadUrl; a.textContent = "download"; last.append(a); }
      else if (j.errorMessage) { last.textContent = j.errorMessage.slice(0, 120); }
      body.append(tr);
    }
    if (data.jobs.length === 0) { body.innerHTML = "<tr><td colspan='6' class='hint'>No report yet.</td></tr>"; }
  } catch (e) { /* the status box says what went wrong with the job itself */ }
}

function show(job) {
  const s = $("status");
  s.className = "status " + job.status;
  s.textContent = "Report " + job.jobId + ": " + job.status;
  $("error").textContent = job.status === "FAILED" ? job.errorMessage : "";
  const a = $("download");
  if (job.status === "COMPLETED" && job.downloadUrl) { a.href = job.downloadUrl; a.hidden = false; }
  else { a.hidden = true; }
}

async function generate() {
  const button = $("generate");
  button.disabled = true;
  $("error").textContent = ""; $("download").hidden = true;
  const body = { from: $("from").value, to: $("to").value, format: $("format").value };
  if (!$("all-silos").checked) {
    body.silos = [...document.querySelectorAll("input.silo:checked")].map(b => Number(b.value));
    if (body.silos.length === 0) { $("error").textContent = "Pick at least one silo, or All silos."; button.disabled = false; return; }
  }
  let job;
  try {
    job = await api("POST", "/api/reports", body);
  } catch (e) {
    $("status").textContent = ""; $("error").textContent = "The report could not be requested: " + e.message;
    button.disabled = false; return;
  }
  show(job);
  loadJobs();
  const started = Date.now();
  const timer = setInterval(async () => {
    try {
      job = await api("GET", "/api/reports/" + encodeURIComponent(job.jobId));
      show(job);
    } catch (e) { $("error").textContent = "Status unavailable: " + e.message; }
    const done = ["COMPLETED", "FAILED", "EXPIRED"].includes(job.status);
    if (done || Date.now() - started > POLL_MAX_MS) {
      clearInterval(timer);
      button.disabled = false;
      if (!done) { $("error").textContent = "Stopped checking after " + Math.round(POLL_MAX_MS / 60000)
          + " minutes; the list below keeps the job's status."; }
      loadJobs();
    }
  }, POLL_MS);
}

// Schedules: list, add (a local time in a zone over previous local days), pause or resume, delete.
async function loadSchedules() {
  const body = $("schedules");
  let data;
  try { data = await api("GET", "/api/schedules"); } catch (e) { $("sched-error").textContent = e.message; return; }
  body.replaceChildren();
  for (const s of data.schedules) {
    const row = document.createElement("tr");
    row.dataset.name = s.name;
    cell(row, s.name); cell(row, s.at || s.cron); cell(row, s.zone); cell(row, s.days || "");
    cell(row, s.paused ? "paused" : "active");
    const actions = cell(row, "");
    const pause = document.createElement("button");
    pause.type = "button"; pause.className = "secondary sched-pause";
    pause.textContent = s.paused ? "Resume" : "Pause";
    pause.addEventListener("click", () => schedAction("POST", "/api/schedules/" + encodeURIComponent(s.name)
      + (s.paused ? "/resume" : "/pause")));
    const del = document.createElement("button");
    del.type = "button"; del.className = "secondary sched-delete"; del.textContent = "Delete";
    del.addEventListener("click", () => schedAction("DELETE", "/api/schedules/" + encodeURIComponent(s.name)));
    actions.append(pause, del);
    body.append(row);
  }
  if (!data.schedules.length) {
    const row = document.createElement("tr");
    cell(row, "No schedules yet.").colSpan = 6;
    body.append(row);
  }
}

async function schedAction(method, path, body) {
  $("sched-error").textContent = "";
  try { await api(method, path, body); } catch (e) { $("sched-error").textContent = e.message; }
  loadSchedules();
}

$("sched-add").addEventListener("click", () => schedAction("POST", "/api/schedules", {
  name: $("sched-name").value.trim(), at: $("sched-at").value, zone: $("sched-zone").value.trim() || "UTC",
  days: Number($("sched-days").value)
}));
$("save-token").addEventListener("click", () => {
  sessionStorage.setItem("silo-reports-token", $("token").value.trim());
  $("token").value = "";
  $("token-state").textContent = "Token in use for this tab.";
  loadSilos(); loadJobs(); loadSchedules();
});
$("all-silos").addEventListener("change", () => {
  for (const b of document.querySelectorAll("input.silo")) { b.disabled = $("all-silos").checked; }
});
$("generate").addEventListener("click", generate);
defaults();
if (token()) { $("token-state").textContent = "Token in use for this tab."; loadSilos(); loadJobs(); loadSchedules(); }
