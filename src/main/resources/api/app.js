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

/**
 * Who gets a report by email, from an addresses input (commas or spaces between them) and its attach box. The API
 * checks each address and its domain; here only that a ticked box has someone to attach the file for.
 */
function emailChoice(addressesId, attachId) {
  const addresses = $(addressesId).value.split(/[\s,]+/).filter(a => a !== "");
  const attach = $(attachId).checked;
  if (attach && addresses.length === 0) {
    throw new Error("Give an address to email the report to, or untick Attach the report file.");
  }
  return { addresses, attach };
}

function recipientCount(n) { return n + (n === 1 ? " recipient" : " recipients"); }

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
      if (j.downloadUrl) {
        const a = document.createElement("a"); a.href = j.downloadUrl; a.textContent = "download"; last.append(a, " ");
        const f = document.createElement("button"); f.type = "button"; f.className = "secondary findings-of";
        f.dataset.job = j.jobId; f.textContent = "findings"; last.append(f);
      }
      else if (j.errorMessage) { last.textContent = j.errorMessage.slice(0, 120); }
      body.append(tr);
    }
    if (data.jobs.length === 0) { body.innerHTML = "<tr><td colspan='6' class='hint'>No report yet.</td></tr>"; }
  } catch (e) { /* the status box says what went wrong with the job itself */ }
}

// ---- what a finished report found: the summary table, one chart per silo, the anomalies and gaps
const FIRST_SILOS = 20; // more rows wait behind "show all" so a 100-silo report stays readable
const SVG = "http://www.w3.org/2000/svg";
let shownJob = null;
let emailedJob = null; // { jobId, recipients }: the page knows whom it asked to email the job it created

function dec(v) { return v === null || v === undefined ? "" : Number(v).toFixed(2); }
function hour(t) { return t ? t.replace("T", " ").slice(0, 16) : ""; }
function numCell(row, text) { const td = cell(row, String(text)); td.className = "num"; return td; }

/** An SVG line of the hourly averages: one path point per hour with data, a new stroke after each gap. */
function chart(averages) {
  const w = 150, h = 34, pad = 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "spark"); svg.setAttribute("width", w); svg.setAttribute("height", h);
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  const bg = document.createElementNS(SVG, "rect");
  bg.setAttribute("width", w); bg.setAttribute("height", h); svg.append(bg);
  const values = averages.filter(v => v !== null).map(Number);
  const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
  const step = averages.length > 1 ? (w - 2 * pad) / (averages.length - 1) : 0;
  let d = "", drawing = false, points = 0;
  averages.forEach((v, i) => {
    if (v === null) { drawing = false; return; }
    const x = pad + i * step, y = h - pad - (Number(v) - lo) / span * (h - 2 * pad);
    d += (drawing ? " L" : " M") + x.toFixed(1) + " " + y.toFixed(1);
    drawing = true; points++;
  });
  if (points > 0) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d.trim()); path.setAttribute("data-points", points); svg.append(path);
  }
  return svg;
}

function summaryRow(tr, s, label) {
  cell(tr, label);
  for (const n of [s.readings, s.hoursWithData, s.hoursWithoutData]) numCell(tr, n);
  for (const n of [s.average, s.min, s.max]) numCell(tr, dec(n));
  for (const n of [s.lateReadings, s.revisedHours, s.anomalies]) numCell(tr, n);
}

function showFindings(job) {
  const box = $("findings");
  const summary = job.status === "COMPLETED" ? job.summary : null;
  if (!summary || !summary.silos) { box.hidden = true; shownJob = null; return; }
  if (shownJob === job.jobId) return;
  shownJob = job.jobId;
  const series = summary.series;
  $("findings-range").textContent = "Report " + job.jobId + (series ? ": hourly averages from " + hour(series.from)
      + " UTC, " + series.points + " points of " + series.stepHours + " h" : "");
  const rows = $("summary-rows");
  rows.textContent = "";
  summary.silos.forEach((s, i) => {
    const tr = document.createElement("tr");
    tr.dataset.silo = s.silo;
    if (i >= FIRST_SILOS) tr.hidden = true;
    summaryRow(tr, s, "Silo " + s.silo);
    const c = cell(tr, "");
    if (s.hourlyAverages) c.append(chart(s.hourlyAverages));
    rows.append(tr);
  });
  const foot = $("summary-all");
  foot.textContent = "";
  const all = document.createElement("tr");
  all.id = "all-silos-row";
  summaryRow(all, summary.allSilos, "All silos");
  cell(all, "");
  foot.append(all);
  const more = $("show-all-silos");
  more.hidden = summary.silos.length <= FIRST_SILOS;
  more.textContent = "Show all " + summary.silos.length + " silos";
  list($("anomalies"), summary.anomalyList, summary.allSilos.anomalies, summary.listedAtMost,
      a => "Silo " + a.silo + ", " + hour(a.hour) + " UTC: " + a.kind + (a.hours > 1 ? " for " + a.hours + " h" : "")
          + ", average " + dec(a.average) + (a.reason ? " (" + a.reason + ")" : ""), "No anomaly.");
  list($("gaps"), summary.gapList, null, summary.listedAtMost,
      g => "Silo " + g.silo + ": " + hour(g.from) + " to " + hour(g.to) + " UTC, " + g.hours + " h without data",
      "No gap.");
  box.hidden = false;
}

function list(ul, items, total, atMost, text, none) {
  ul.textContent = "";
  if (items === undefined) { // a report completed before the summary listed them
    const li = document.createElement("li"); li.className = "hint";
    li.textContent = "Not listed for this report; its workbook has them."; ul.append(li); return;
  }
  for (const item of items || []) { const li = document.createElement("li"); li.textContent = text(item); ul.append(li); }
  if (!items || items.length === 0) { const li = document.createElement("li"); li.textContent = none; ul.append(li); }
  else if (items.length >= atMost) {
    const li = document.createElement("li"); li.className = "hint";
    li.textContent = "The first " + atMost + (total ? " of " + total : "") + " are listed; the workbook has them all.";
    ul.append(li);
  }
}

// ---- the pipelines' health, refreshed while the page is open
const HEALTH_MS = 30000;

function age(seconds) {
  if (seconds === undefined || seconds === null) return "";
  if (seconds < 120) return seconds + " s ago";
  if (seconds < 7200) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

async function loadHealth() {
  if (!token()) return;
  let data;
  try {
    const r = await fetch("/api/health/detail", { headers: { "Authorization": "Bearer " + token() } });
    data = await r.json(); // 503 carries the same body, naming what is unhealthy
    if (r.status !== 200 && r.status !== 503) throw new Error((data && data.error) || ("HTTP " + r.status));
  } catch (e) { $("health-state").textContent = "Health unavailable: " + e.message; return; }
  $("health-state").textContent = (data.status === "ok" ? "all healthy" : "unhealthy")
      + (data.jobStore && data.jobStore.reachable === false ? "; the job store is unreachable" : "")
      + " (checked " + new Date().toISOString().slice(11, 19) + " UTC)";
  $("health-state").className = data.status === "ok" ? "ok" : "problem";
  const rows = $("health-rows");
  rows.textContent = "";
  for (const p of data.pipelines) {
    const tr = document.createElement("tr");
    tr.dataset.pipeline = p.pipeline;
    cell(tr, p.pipeline);
    const st = cell(tr, p.ok ? "ok" : p.problem); st.className = p.ok ? "ok" : "problem";
    const c = cell(tr, age(p.commitAgeSeconds)); c.dataset.seconds = p.commitAgeSeconds === undefined ? "" : p.commitAgeSeconds;
    cell(tr, age(p.eventTimeLagSeconds).replace(" ago", ""));
    rows.append(tr);
  }
  $("health").hidden = false;
}

function show(job) {
  const s = $("status");
  s.className = "status " + job.status;
  s.textContent = "Report " + job.jobId + ": " + job.status;
  $("error").textContent = job.status === "FAILED" ? job.errorMessage : "";
  $("emailed").textContent = emailedJob && emailedJob.jobId === job.jobId && emailedJob.recipients > 0
    ? "Will be emailed to " + recipientCount(emailedJob.recipients) + "." : "";
  const a = $("download");
  if (job.status === "COMPLETED" && job.downloadUrl) { a.href = job.downloadUrl; a.hidden = false; }
  else { a.hidden = true; }
  // The download link dies in minutes; the link to share (api.public-url set) signs a fresh download for days.
  const share = $("share");
  if (job.status === "COMPLETED" && job.shareUrl) {
    share.href = job.shareUrl; share.title = "works for days: each click signs a fresh download"; share.hidden = false;
  } else { share.hidden = true; }
  showFindings(job);
}

async function generate() {
  const button = $("generate");
  button.disabled = true;
  $("error").textContent = ""; $("emailed").textContent = ""; $("download").hidden = true; $("share").hidden = true;
  $("findings").hidden = true;
  shownJob = null;
  const body = { from: $("from").value, to: $("to").value, format: $("format").value };
  if (!$("all-silos").checked) {
    body.silos = [...document.querySelectorAll("input.silo:checked")].map(b => Number(b.value));
    if (body.silos.length === 0) { $("error").textContent = "Pick at least one silo, or All silos."; button.disabled = false; return; }
  }
  let email;
  try { email = emailChoice("email-to", "email-attach"); }
  catch (e) { $("status").textContent = ""; $("error").textContent = e.message; button.disabled = false; return; }
  if (email.addresses.length > 0) {
    body.notify = { email: email.addresses };
    if (email.attach) body.notify.attach = true;
  }
  let job;
  try {
    job = await api("POST", "/api/reports", body);
    emailedJob = { jobId: job.jobId, recipients: email.addresses.length };
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

// Schedules: list, add (a local time in a zone over previous local days), change, pause or resume, delete.
let editing = null; // the schedule being changed (its fields as the API gave them), or null when adding
async function loadSchedules() {
  const body = $("schedules");
  let data;
  try { data = await api("GET", "/api/schedules"); } catch (e) { $("sched-error").textContent = e.message; return; }
  body.replaceChildren();
  for (const s of data.schedules) {
    const row = document.createElement("tr");
    row.dataset.name = s.name;
    cell(row, s.name); cell(row, s.at || s.cron); cell(row, s.zone); cell(row, s.days || "");
    cell(row, (s.recipients ? s.recipients.split(",").join(", ") : "none")
      + (s.recipients && s.attach === "true" ? " (file attached)" : "")).className = "sched-recipients";
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
    const edit = document.createElement("button");
    edit.type = "button"; edit.className = "secondary sched-edit"; edit.textContent = "Edit";
    edit.addEventListener("click", () => editSchedule(s));
    actions.append(edit, pause, del);
    body.append(row);
  }
  if (!data.schedules.length) {
    const row = document.createElement("tr");
    cell(row, "No schedules yet.").colSpan = 7;
    body.append(row);
  }
}

async function schedAction(method, path, body) {
  $("sched-error").textContent = "";
  try { await api(method, path, body); } catch (e) { $("sched-error").textContent = e.message; }
  loadSchedules();
}

// Fills the form with a schedule to change; Save sends its fields with the form's values over them (PUT replaces all).
function editSchedule(s) {
  editing = s;
  $("sched-name").value = s.name; $("sched-name").readOnly = true;
  $("sched-at").value = s.at || ""; $("sched-zone").value = s.zone || "UTC"; $("sched-days").value = s.days || 1;
  $("sched-format").value = s.format || "xlsx";
  $("sched-recipients").value = s.recipients ? s.recipients.split(",").join(", ") : "";
  $("sched-attach").checked = s.attach === "true";
  $("sched-add").textContent = "Save changes"; $("sched-cancel").hidden = false;
}

function endEditing() {
  editing = null;
  $("sched-name").readOnly = false; $("sched-name").value = "";
  $("sched-add").textContent = "Add schedule"; $("sched-cancel").hidden = true;
}

$("sched-add").addEventListener("click", async () => {
  const schedule = {};
  if (editing) {
    for (const f of ["cron", "range", "silos", "notify"]) { if (editing[f]) schedule[f] = editing[f]; }
  }
  Object.assign(schedule, { name: $("sched-name").value.trim(), zone: $("sched-zone").value.trim() || "UTC",
    format: $("sched-format").value });
  if (!schedule.range) schedule.days = Number($("sched-days").value); // a schedule over hours keeps its range
  if ($("sched-at").value || !schedule.cron) { schedule.at = $("sched-at").value; delete schedule.cron; }
  let email;
  try { email = emailChoice("sched-recipients", "sched-attach"); }
  catch (e) { $("sched-error").textContent = e.message; return; }
  if (email.addresses.length > 0) schedule.recipients = email.addresses;
  if (email.attach) schedule.attach = "true";
  if (editing) {
    $("sched-error").textContent = "";
    try {
      await api("PUT", "/api/schedules/" + encodeURIComponent(editing.name), schedule);
      endEditing();
    } catch (e) { $("sched-error").textContent = e.message; }
    loadSchedules();
  } else {
    schedAction("POST", "/api/schedules", schedule);
  }
});
$("sched-cancel").addEventListener("click", endEditing);
$("save-token").addEventListener("click", () => {
  sessionStorage.setItem("silo-reports-token", $("token").value.trim());
  $("token").value = "";
  $("token-state").textContent = "Token in use for this tab.";
  loadSilos(); loadJobs(); loadHealth(); loadSchedules();
});
$("all-silos").addEventListener("change", () => {
  for (const b of document.querySelectorAll("input.silo")) { b.disabled = $("all-silos").checked; }
});
$("generate").addEventListener("click", generate);
$("jobs").addEventListener("click", async e => {
  const job = e.target.closest("button.findings-of");
  if (!job) return;
  try { show(await api("GET", "/api/reports/" + encodeURIComponent(job.dataset.job))); }
  catch (err) { $("error").textContent = "The report could not be read: " + err.message; }
});
$("show-all-silos").addEventListener("click", () => {
  for (const tr of document.querySelectorAll("#summary-rows tr")) { tr.hidden = false; }
  $("show-all-silos").hidden = true;
});
setInterval(loadHealth, HEALTH_MS);
defaults();
if (token()) { $("token-state").textContent = "Token in use for this tab."; loadSilos(); loadJobs(); loadHealth(); loadSchedules(); }
