// The sweep sheet on a grid worker's phone. It downloads the households of the worker's
// buildings while the network is there, keeps them in IndexedDB with the visits recorded since,
// and uploads those visits whenever the network answers. Each visit gets its id here, so that
// sending it again (the answer was lost in a lift) is recognised by the server as the same
// visit. When the server says the sweep has ended, everything kept for it is deleted.
//
// The server refuses a batch with 422 when one of its visits cannot be taken (a member who
// has moved out since the sheet was downloaded, a phone clock that runs fast), naming that
// visit ("visits.<index>.…"), and writes nothing. The visits it names are set aside here:
// kept on the phone with the server's reason, shown to the worker, never sent again, removed
// only by the worker, one at a time; the rest of the batch is sent again at once.

const app = document.getElementById("sheet-app");
const sweepId = app.dataset.sweep;
const msg = (name) => app.dataset[`msg${name}`];
const english = (document.documentElement.lang || "").startsWith("en");
const DB_NAME = "fangyi-sweeps";
const UPLOAD_EVERY_MS = 15000;
// With nothing to upload, the sheet is asked for again this seldom: often enough that a phone
// left open learns within minutes that the sweep ended, rarely enough to spare its data plan.
const REFRESH_EVERY_MS = 5 * 60 * 1000;
const BATCH = 200;
// Named by the page, for core's service worker to answer from when the network cannot.
const PAGE_CACHE = app.dataset.pageCache;

let sheet = null;
let queue = [];
// Visits the server refused, with its reasons (`refused`): kept until the worker removes them.
let setAside = [];
let current = null;

// IndexedDB: "sheets" by sweep id, "visits" (the upload queue) by visit id.
function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("sheets", { keyPath: "sweep.id" });
      request.result.createObjectStore("visits", { keyPath: "id" }).createIndex("sweep", "sweep");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(name, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const result = work(tx.objectStore(name));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

const saveSheet = (value) => withStore("sheets", "readwrite", (store) => store.put(value));
const loadSheet = () => withStore("sheets", "readonly", (store) => store.get(sweepId));
const putVisit = (visit) => withStore("visits", "readwrite", (store) => store.put(visit));
const dropVisit = (id) => withStore("visits", "readwrite", (store) => store.delete(id));
const loadVisits = () =>
  withStore("visits", "readonly", (store) => store.index("sweep").getAll(sweepId));

function keepInMemory(visits) {
  queue = visits.filter((visit) => !visit.refused);
  setAside = visits.filter((visit) => visit.refused);
}

async function clearPhone() {
  await withStore("sheets", "readwrite", (store) => store.delete(sweepId));
  for (const visit of await loadVisits()) await dropVisit(visit.id);
  sheet = null;
  queue = [];
  setAside = [];
  renderSetAside();
}

function csrfToken() {
  const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return cookie ? decodeURIComponent(cookie[1]) : app.dataset.csrf;
}

function setStatus(text) {
  document.getElementById("network-status").textContent = text;
}

function showCounts() {
  document.getElementById("stored-households").textContent = sheet ? sheet.households.length : 0;
  document.getElementById("queue-count").textContent = queue.length;
  document.getElementById("set-aside-count").textContent = setAside.length;
}

function label(choice) {
  return english && choice.name_en ? choice.name_en : choice.name;
}

function asked(key) {
  return sheet.sweep.questions.some((question) => question.key === key);
}

function question(key) {
  return sheet.sweep.questions.find((item) => item.key === key);
}

// The household's state as the phone knows it: the server's, moved on by visits not uploaded.
function localState(household) {
  const mine = queue.filter((visit) => visit.household === household.id);
  if (mine.some((visit) => visit.outcome === "answered")) return "visited";
  if (mine.length) return "not_answered";
  return household.state;
}

function renderHouseholds() {
  const list = document.getElementById("households");
  list.replaceChildren();
  if (!sheet) return;
  for (const household of sheet.households) {
    const item = document.createElement("li");
    item.className = "list-group-item list-group-item-action d-flex justify-content-between";
    item.dataset.household = household.id;
    item.setAttribute("role", "button");
    item.tabIndex = 0;
    const address = document.createElement("span");
    address.textContent = household.address;
    const state = document.createElement("span");
    state.className = "small household-state";
    const now = localState(household);
    const waiting = queue.some((visit) => visit.household === household.id);
    const refused = setAside.some((visit) => visit.household === household.id);
    state.textContent =
      (now === "visited" ? msg("Visited") : now === "to_visit" ? "" : msg("Missed")) +
      (waiting ? ` · ${msg("Pending")}` : "") +
      (refused ? ` · ${msg("NotTaken")}` : "");
    item.append(address, state);
    item.addEventListener("click", () => openVisit(household));
    list.append(item);
  }
}

function clone(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

function whoOptions(select) {
  select.replaceChildren();
  for (const member of current.members) {
    select.append(new Option(`${member.name} (${member.age ?? "?"})`, member.id));
  }
  document.querySelectorAll("#newcomers .newcomer").forEach((block, index) => {
    const name = block.querySelector(".newcomer-name").value || `${msg("Newcomer")} ${index + 1}`;
    select.append(new Option(name, `new:${index}`));
  });
}

function refreshWho() {
  document.querySelectorAll("#visit-form select.who").forEach((select) => {
    const chosen = select.value;
    whoOptions(select);
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  });
}

function checkboxes(container, choices, className) {
  for (const choice of choices) {
    const wrap = document.createElement("label");
    wrap.className = "me-2 text-nowrap";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = `form-check-input me-1 ${className}`;
    box.value = choice.code;
    wrap.append(box, document.createTextNode(label(choice)));
    container.append(wrap);
  }
}

function openVisit(household) {
  current = household;
  const form = document.getElementById("visit-form");
  document.getElementById("visit-address").textContent = household.address;
  const members = document.getElementById("members");
  members.replaceChildren();
  for (const member of household.members) {
    const row = clone("tpl-member");
    row.dataset.person = member.id;
    row.querySelector(".member-name").textContent =
      `${member.name} · ${member.age ?? "?"} · ${member.id_tail}`;
    if (member.status === "away") row.querySelector(".member-status").value = "away";
    members.append(row);
  }
  for (const id of ["newcomers", "arrivals", "healths", "needs"]) {
    document.getElementById(id).replaceChildren();
  }
  form.querySelectorAll("section[data-section]").forEach((section) => {
    section.hidden = !asked(section.dataset.section);
  });
  form.hidden = false;
  document.getElementById("households").hidden = true;
  form.scrollIntoView();
}

function closeVisit() {
  current = null;
  document.getElementById("visit-form").hidden = true;
  document.getElementById("households").hidden = false;
  renderHouseholds();
  showCounts();
}

function addBlock(template, target, fill) {
  const block = clone(template);
  document.getElementById(target).append(block);
  const who = block.querySelector("select.who");
  if (who) whoOptions(who);
  if (fill) fill(block);
  return block;
}

document.getElementById("add-newcomer").addEventListener("click", () => {
  const block = addBlock("tpl-newcomer", "newcomers");
  block.querySelector(".newcomer-name").addEventListener("input", refreshWho);
  refreshWho();
});
document.getElementById("add-arrival").addEventListener("click", () =>
  addBlock("tpl-arrival", "arrivals", (block) => {
    const risk = block.querySelector(".arrival-risk");
    for (const choice of question("arrival").choices) risk.append(new Option(label(choice), choice.code));
  }),
);
document.getElementById("add-health").addEventListener("click", () =>
  addBlock("tpl-health", "healths", (block) => {
    const symptoms = question("health").symptoms.map((name) => ({ code: name, name }));
    checkboxes(block.querySelector(".symptoms"), symptoms, "symptom");
  }),
);
document.getElementById("add-need").addEventListener("click", () =>
  addBlock("tpl-need", "needs", (block) =>
    checkboxes(block.querySelector(".tags"), question("needs").choices, "tag"),
  ),
);

function localMoment(value) {
  // A datetime-local value is the phone's local time; the server wants an offset.
  return value ? new Date(value).toISOString() : null;
}

function answersOf() {
  const answers = {};
  if (asked("members")) {
    answers.members = [...document.querySelectorAll("#members .member")].map((row) => ({
      person: row.dataset.person,
      status: row.querySelector(".member-status").value,
    }));
    answers.newcomers = [...document.querySelectorAll("#newcomers .newcomer")].map((block) => ({
      name: block.querySelector(".newcomer-name").value.trim(),
      id_number: block.querySelector(".newcomer-id").value.trim(),
      phone: block.querySelector(".newcomer-phone").value.trim(),
    }));
  }
  if (asked("arrival")) {
    answers.arrivals = [...document.querySelectorAll("#arrivals .arrival")].map((block) => ({
      who: block.querySelector(".who").value,
      from: block.querySelector(".arrival-from").value.trim(),
      risk: block.querySelector(".arrival-risk").value,
      arrived_at: localMoment(block.querySelector(".arrival-at").value),
    }));
  }
  if (asked("health")) {
    answers.health = [...document.querySelectorAll("#healths .health")].map((block) => {
      const temperature = block.querySelector(".temperature").value;
      return {
        who: block.querySelector(".who").value,
        temperature: temperature === "" ? null : Number(temperature),
        symptoms: [...block.querySelectorAll(".symptom:checked")].map((box) => box.value),
      };
    });
  }
  if (asked("needs")) {
    answers.needs = [...document.querySelectorAll("#needs .need")].map((block) => ({
      who: block.querySelector(".who").value,
      tags: [...block.querySelectorAll(".tag:checked")].map((box) => box.value),
    }));
  }
  return answers;
}

async function record(outcome, answers) {
  const visit = {
    id: crypto.randomUUID(),
    sweep: sweepId,
    household: current.id,
    visited_at: new Date().toISOString(),
    outcome,
    answers,
  };
  await putVisit(visit);
  queue.push(visit);
  document.getElementById("upload-note").textContent = msg("Saved");
  closeVisit();
  upload();
}

document.getElementById("visit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  record("answered", answersOf());
});
document.getElementById("not-answered").addEventListener("click", () => record("not_answered", {}));
document.getElementById("visit-cancel").addEventListener("click", closeVisit);

// Which part of the answers a refused field is ("answers.members.0.person" is 台账成员); the
// server's messages about the visit itself (its time, its household) say so on their own.
const PARTS = {
  members: "Members",
  newcomers: "Newcomer",
  arrivals: "Arrival",
  health: "Health",
  needs: "Needs",
};

function whoseRow(visit, section, index) {
  const row = ((visit.answers || {})[section] || [])[index];
  if (!row) return "";
  if (section === "newcomers") return row.name || "";
  const who = String(row.person ?? row.who ?? "");
  if (who.startsWith("new:")) {
    return ((visit.answers.newcomers || [])[Number(who.slice(4))] || {}).name || "";
  }
  const household = sheet && sheet.households.find((item) => item.id === visit.household);
  const member = household && household.members.find((item) => item.id === who);
  return member ? member.name : "";
}

function reasonOf(visit, where, message) {
  const steps = where ? where.split(".") : [];
  const inAnswers = steps[0] === "answers";
  const part = inAnswers ? steps[1] : steps[0];
  const name = inAnswers && steps.length > 2 ? whoseRow(visit, part, Number(steps[2])) : "";
  const about = [PARTS[part] ? msg(PARTS[part]) : "", name].filter(Boolean).join(" ");
  return about ? `${about}${english ? ": " : "："}${message}` : message;
}

// The visits of `batch` a 422 names ("visits.<index>.<where>"), each with its reasons.
function refusedIn(batch, detail) {
  const named = new Map();
  for (const item of Array.isArray(detail) ? detail : []) {
    const match = /^visits\.(\d+)(?:\.(.+))?$/.exec(item.field || "");
    const visit = match && batch[Number(match[1])];
    if (!visit) continue;
    if (!named.has(visit)) named.set(visit, []);
    named.get(visit).push(reasonOf(visit, match[2] || "", item.message));
  }
  return named;
}

async function putAside(named) {
  for (const [visit, reasons] of named) {
    visit.refused = reasons;
    await putVisit(visit);
  }
  queue = queue.filter((visit) => !named.has(visit));
  setAside.push(...named.keys());
  renderSetAside();
}

function addressOf(householdId) {
  const household = sheet && sheet.households.find((item) => item.id === householdId);
  return household ? household.address : householdId;
}

function renderSetAside() {
  const list = document.getElementById("set-aside-list");
  list.replaceChildren();
  document.getElementById("set-aside").hidden = !setAside.length;
  for (const visit of setAside) {
    const item = clone("tpl-set-aside");
    item.dataset.visit = visit.id;
    item.querySelector(".set-aside-address").textContent = addressOf(visit.household);
    item.querySelector(".set-aside-time").textContent = new Date(visit.visited_at).toLocaleString(
      english ? "en" : "zh-CN",
      { hour12: false },
    );
    const reasons = item.querySelector(".set-aside-reasons");
    for (const reason of visit.refused) {
      const line = document.createElement("li");
      line.textContent = reason;
      reasons.append(line);
    }
    item.querySelector(".set-aside-remove").addEventListener("click", () => removeSetAside(visit));
    list.append(item);
  }
}

async function removeSetAside(visit) {
  if (!window.confirm(msg("ConfirmRemove"))) return;
  await dropVisit(visit.id);
  setAside = setAside.filter((kept) => kept.id !== visit.id);
  renderSetAside();
  showCounts();
  renderHouseholds();
}

let uploading = false;

async function upload() {
  if (uploading || !queue.length) return;
  uploading = true;
  const note = document.getElementById("upload-note");
  try {
    while (queue.length) {
      const batch = queue.slice(0, BATCH);
      const response = await fetch(app.dataset.uploadUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({
          visits: batch.map(({ id, household, visited_at, outcome, answers }) => ({
            id,
            household,
            visited_at,
            outcome,
            answers,
          })),
        }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        const named = response.status === 422 ? refusedIn(batch, body.detail) : new Map();
        if (named.size) {
          // Nothing of the batch was written: the others go again without the named ones.
          await putAside(named);
          continue;
        }
        const detail = Array.isArray(body.detail)
          ? body.detail.map((item) => `${item.field ?? ""} ${item.message}`).join("; ")
          : body.detail || response.status;
        note.textContent = `${msg("Refused")} ${detail}`;
        const fields = Array.isArray(body.detail) ? body.detail.map((item) => item.field) : [];
        if (response.status === 422 && fields.includes("sweep")) await refreshSheet();
        return;
      }
      const result = await response.json();
      const done = new Set([...result.accepted, ...result.duplicates]);
      for (const visit of batch) {
        if (done.has(visit.id)) await dropVisit(visit.id);
      }
      queue = queue.filter((visit) => !done.has(visit.id));
      note.textContent = `${msg("Uploaded")} ${done.size}`;
    }
    await refreshSheet();
  } catch {
    setStatus(msg("Offline"));
  } finally {
    uploading = false;
    showCounts();
    renderHouseholds();
  }
}

let refreshedAt = 0;
// Whether the last ask for the sheet was answered: one that failed (the network back in name
// only) is tried again at the next tick, not REFRESH_EVERY_MS later.
let answered = true;

async function refreshSheet() {
  try {
    const response = await fetch(app.dataset.sheetUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    refreshedAt = Date.now();
    answered = true;
    if (response.status === 404) {
      await clearPhone();
      setStatus(msg("Ended"));
      document.getElementById("households").replaceChildren();
      showCounts();
      return;
    }
    if (!response.ok) return;
    const fresh = await response.json();
    if (fresh.sweep.status !== "running") {
      await clearPhone();
      setStatus(msg("Ended"));
      document.getElementById("households").replaceChildren();
      showCounts();
      return;
    }
    sheet = fresh;
    await saveSheet(sheet);
    setStatus(msg("Online"));
  } catch {
    answered = false;
    setStatus(msg("Offline"));
  }
}

document.getElementById("upload-now").addEventListener("click", upload);
document.getElementById("clear-phone").addEventListener("click", async () => {
  if ((queue.length || setAside.length) && !window.confirm(document.getElementById("clear-phone").textContent + "?")) return;
  await clearPhone();
  closeVisit();
});
// A queue is uploaded (which asks for the sheet afterwards); with none, the sheet is asked for
// when the network returns and every REFRESH_EVERY_MS, so that the status is right again and an
// ended sweep is cleared from a phone left open.
async function keepCurrent(force) {
  if (queue.length) return upload();
  if (!sheet || !navigator.onLine) return;
  if (!force && answered && Date.now() - refreshedAt < REFRESH_EVERY_MS) return;
  await refreshSheet();
  renderHouseholds();
}
window.addEventListener("online", () => keepCurrent(true));
window.addEventListener("offline", () => setStatus(msg("Offline")));
setInterval(() => keepCurrent(false), UPLOAD_EVERY_MS);

async function keepForOffline() {
  if (!("serviceWorker" in navigator) || !window.caches) return;
  try {
    await navigator.serviceWorker.register(app.dataset.serviceWorkerUrl, {
      scope: app.dataset.serviceWorkerScope,
    });
    const files = [
      location.pathname,
      ...[...document.querySelectorAll("link[rel=stylesheet][href], script[src]")].map(
        (element) => element.getAttribute("href") || element.getAttribute("src"),
      ),
    ];
    const cache = await caches.open(PAGE_CACHE);
    await cache.addAll([...new Set(files)]);
  } catch {
    // No offline copy of the page this time; what IndexedDB holds still works while it is open.
  }
}

async function start() {
  sheet = (await loadSheet()) || null;
  keepInMemory(await loadVisits());
  if (navigator.onLine) await refreshSheet();
  else setStatus(msg("Offline"));
  if (!sheet && document.getElementById("network-status").textContent !== msg("Ended")) {
    setStatus(msg("NoSheet"));
  }
  showCounts();
  renderHouseholds();
  renderSetAside();
  app.dataset.ready = "1";
  upload();
  keepForOffline();
}

start();
