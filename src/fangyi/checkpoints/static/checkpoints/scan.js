// The checkpoint scanning page. Codes are verified here, in the browser, against keys and a
// revocation list kept in localStorage, so the page keeps working with the network cut; every
// scan is queued in localStorage and uploaded when the server can be reached. Only card codes
// (printed, no colour inside) need the network: their colour is looked up.

const app = document.getElementById("scan-app");
const labels = document.getElementById("scan-labels").dataset;
const verdicts = JSON.parse(document.getElementById("scan-verdicts").textContent);
const overlay = document.getElementById("scan-result");
const form = document.getElementById("code-form");
const input = document.getElementById("code-text");
const venueSelect = document.getElementById("venue");
const statusLine = document.getElementById("network-status");
const queueCount = document.getElementById("queue-count");
const uploadNote = document.getElementById("upload-note");
const cameraBox = document.getElementById("camera-box");
const cameraButton = document.getElementById("camera-button");
const cameraNote = document.getElementById("camera-note");
const urls = app.dataset;

const { verifyCode, passRefusal } = await import(urls.verifyUrl);
const { Camera } = await import(urls.cameraUrl);

// Named by the page, for core's service worker to answer from when the network cannot.
const PAGE_CACHE = urls.pageCache;
const KEYS = "fangyi.scan.keys";
const REVOKED = "fangyi.scan.revoked";
const VENUE = "fangyi.scan.venue";
// Per staff member: scans go up under the account that made them.
const QUEUE = `fangyi.scan.queue.${urls.user}`;
const BATCH = 500; // the most the upload API takes at once
const UPLOAD_EVERY_MS = 30_000;
const REFRESH_EVERY_MS = 5 * 60_000;
// The camera keeps seeing the code just dismissed; it is not a new scan.
const SAME_CODE_PAUSE_MS = 3000;
const KINDS = ["display", "card", "place", "release", "notice", "pass"];

function load(name) {
  try {
    return JSON.parse(localStorage.getItem(name));
  } catch {
    return null;
  }
}

function save(name, value) {
  try {
    localStorage.setItem(name, JSON.stringify(value));
  } catch {
    // Storage full or refused: the page still verifies, it only forgets on reload.
  }
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function clock(ms, withDate = false) {
  const at = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return withDate ? `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}` : time;
}

function csrfToken() {
  const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return cookie ? decodeURIComponent(cookie[1]) : urls.csrf;
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
}

// --- keys and revocation list -------------------------------------------------------------

let keys = load(KEYS); // {jwks, fetchedAt}
let revoked = load(REVOKED); // {revoked, fetchedAt}
let reachable = false;

async function getJson(url) {
  const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function refreshKeys() {
  try {
    const [jwks, list] = await Promise.all([getJson(urls.keysUrl), getJson(urls.revokedUrl)]);
    const fetchedAt = Date.now();
    keys = { jwks, fetchedAt };
    revoked = { revoked: list.revoked, fetchedAt };
    save(KEYS, keys);
    save(REVOKED, revoked);
    reachable = true;
  } catch {
    reachable = false;
  }
  showStatus();
}

function isOnline() {
  return navigator.onLine && reachable;
}

function showStatus() {
  if (!keys) {
    statusLine.textContent = labels.noKeys;
    statusLine.dataset.state = "no-keys";
    return;
  }
  const today = new Date().toDateString() === new Date(keys.fetchedAt).toDateString();
  const time = clock(keys.fetchedAt, !today);
  const online = isOnline();
  statusLine.textContent = fill(online ? labels.online : labels.offline, { time });
  statusLine.dataset.state = online ? "online" : "offline";
}

// --- the queue of scans -------------------------------------------------------------------

function queue() {
  const stored = load(QUEUE);
  return Array.isArray(stored) ? stored : [];
}

function showQueue() {
  queueCount.textContent = String(queue().length);
}

function enqueue(scan) {
  save(QUEUE, [...queue(), scan]);
  showQueue();
}

// Applies the server's verdict on a batch to the queue as it is now (scans made meanwhile stay).
function settle(batch, sent, rejected = new Set(), withoutVenue = new Set()) {
  const done = new Set(batch.filter((_s, i) => sent && !withoutVenue.has(i)).map((s) => s.client_id));
  for (const index of rejected) done.add(batch[index].client_id);
  const orphaned = new Set([...withoutVenue].map((index) => batch[index].client_id));
  save(
    QUEUE,
    queue()
      .filter((scan) => !done.has(scan.client_id))
      .map((scan) => (orphaned.has(scan.client_id) ? { ...scan, venue: null } : scan)),
  );
}

let uploading = false;

async function upload() {
  if (uploading || !navigator.onLine) return;
  uploading = true;
  try {
    for (let batch = queue().slice(0, BATCH); batch.length; batch = queue().slice(0, BATCH)) {
      const response = await post(urls.uploadUrl, { scans: batch });
      reachable = true;
      if (response.status === 201) {
        settle(batch, true);
        uploadNote.textContent = "";
      } else if (response.status === 422) {
        // A venue closed or moved out of this staff member's scope: the scan is kept without
        // it. Anything else wrong with one scan cannot be mended by sending it again.
        const body = await response.json().catch(() => ({}));
        const errors = Array.isArray(body.detail) ? body.detail : [];
        const rejected = new Set();
        const withoutVenue = new Set();
        for (const error of errors) {
          const match = /scans\.(\d+)\.(\w+)/.exec(error.field || "");
          if (!match || !batch[Number(match[1])]) continue;
          (match[2] === "venue" ? withoutVenue : rejected).add(Number(match[1]));
        }
        for (const index of rejected) withoutVenue.delete(index);
        if (!rejected.size && !withoutVenue.size) break;
        settle(batch, false, rejected, withoutVenue);
      } else {
        if (response.status === 401 || response.status === 403) uploadNote.textContent = labels.loginNeeded;
        break;
      }
      showQueue();
    }
  } catch {
    reachable = false;
  } finally {
    uploading = false;
    showQueue();
    showStatus();
  }
}

// --- verifying and showing a code ----------------------------------------------------------

function word(result, colour) {
  if (result === "valid" && colour) return labels[colour];
  return labels[result.replace(/_(\w)/g, (_m, c) => c.toUpperCase())];
}

function camel(text) {
  return text.replace(/_(\w)/g, (_m, c) => c.toUpperCase());
}

// What a printed isolation document says, in a line: the guard compares it with the paper.
function documentDetail(kind, claims) {
  const orderKind = labels[`orderKind${camel(claims.order_kind).replace(/^./, (c) => c.toUpperCase())}`];
  const values = { order_kind: orderKind || claims.order_kind, start: claims.start, end: claims.end };
  if (kind === "release") {
    values.released = new Date(claims.released_at * 1000).toLocaleString();
    values.region = claims.region;
    return fill(labels.releaseDetail, values);
  }
  values.place = claims.place === "home" ? labels.placeHome : claims.place;
  return fill(labels.noticeDetail, values);
}

// A courier's pass: what it says, and why it does not let its holder through here, if it does
// not. The checkpoint's region is the chosen venue's; with none chosen the guard compares.
function passVerdict(claims) {
  const option = venueSelect.selectedOptions[0];
  const path = option && option.value ? option.dataset.path : null;
  const refusal = passRefusal(claims, Date.now() / 1000, path);
  const tested = claims.tested_at > 0 ? clock(claims.tested_at * 1000, true) : labels.passNoTest;
  const facts = fill(labels.passDetail, {
    organisation: claims.organisation,
    plate: claims.plate ? ` · ${claims.plate}` : "",
    areas: claims.area_names,
    until: claims.valid_until,
    tested,
  });
  let sentence = "";
  if (refusal === "not_green") sentence = fill(labels.passNotGreen, { colour: labels[claims.colour] });
  else if (refusal === "test_too_old") {
    sentence = claims.tested_at > 0 ? fill(labels.passTestTooOld, { hours: claims.test_hours, tested }) : labels.passNoTest;
  } else if (refusal === "outside_areas") sentence = fill(labels.passOutsideAreas, { areas: claims.area_names });
  else if (path === null) sentence = labels.passCheckAreas;
  return { refusal, detail: refusal ? `${sentence} ${facts}` : `${facts} ${sentence}`.trim() };
}

function why(result, reason = "") {
  const key = result === "malformed" ? verdicts.malformed_reasons[reason] || result : result;
  return verdicts.sentences[key] || verdicts.sentences.malformed;
}

function field(name) {
  return overlay.querySelector(`[data-field="${name}"]`);
}

function show({ result, colour, kind, claims, signed, headline, detail, reason, tone }) {
  overlay.dataset.result = result;
  overlay.dataset.colour = colour || "";
  overlay.dataset.reason = reason || "";
  overlay.className = `scan-result scan-${tone}`;
  field("kind").textContent = kind && signed ? labels[`kind${kind[0].toUpperCase()}${kind.slice(1)}`] : "";
  field("word").textContent = headline || word(result, colour);
  const person = signed && claims && kind !== "place";
  field("person").hidden = !person;
  field("name").textContent = person ? claims.name : "";
  field("id-tail").textContent = person ? claims.id_tail : "";
  field("detail").textContent = detail || "";
  overlay.hidden = false;
  document.body.classList.add("scan-result-open");
  overlay.focus();
}

async function lookUpCard(text) {
  if (!navigator.onLine) return null;
  try {
    const response = await post(urls.lookupUrl, { text });
    reachable = true;
    return response.ok ? response.json() : null;
  } catch {
    reachable = false;
    return null;
  }
}

let busy = false;

async function scan(text) {
  if (busy || !text.trim()) return;
  busy = true;
  try {
    const found = await verifyCode(text, {
      keys: keys ? keys.jwks : { keys: [] },
      revoked: revoked ? revoked.revoked : [],
    });
    const claims = found.claims;
    const kind = claims && KINDS.includes(claims.kind) ? claims.kind : "";
    let result = found.result;
    let colour = result === "valid" && kind === "display" ? claims.colour : null;
    let headline = "";
    let detail = result === "valid" ? "" : why(result, found.reason);
    let tone = result === "valid" ? "colour" : "invalid";
    let reason = found.reason;
    if (result === "valid" && kind === "pass") {
      const verdict = passVerdict(claims);
      detail = verdict.detail;
      if (verdict.refusal) {
        result = "refused";
        reason = verdict.refusal;
        headline = labels.passInvalid;
        tone = "invalid";
      } else {
        colour = "green";
        headline = labels.passValid;
      }
    } else if (result === "valid" && kind === "display") {
      detail = fill(labels.validUntil, { time: new Date(claims.exp * 1000).toLocaleTimeString() });
    } else if (result === "valid" && kind === "place") {
      headline = labels.kindPlace;
      detail = labels.place;
      tone = "neutral";
    } else if (result === "valid" && (kind === "release" || kind === "notice")) {
      headline = fill(labels.documentValid, { kind: labels[`kind${kind[0].toUpperCase()}${kind.slice(1)}`] });
      detail = documentDetail(kind, claims);
      tone = "neutral";
    } else if (result === "valid" && kind === "card") {
      const lookup = await lookUpCard(text.trim());
      if (lookup === null) {
        headline = navigator.onLine ? labels.cardFailed : labels.cardOffline;
        tone = "neutral";
      } else {
        // The server knows more than this phone (a revocation since the list was fetched).
        result = lookup.result;
        colour = result === "valid" ? lookup.colour : null;
        detail = result === "valid" ? "" : why(result, lookup.reason);
        tone = result === "valid" && colour ? "colour" : result === "valid" ? "neutral" : "invalid";
      }
    }
    if (tone === "colour") tone = `colour-${colour}`;
    show({ result, colour, kind, claims, signed: found.signed, headline, detail, reason, tone });
    enqueue({
      client_id: crypto.randomUUID(),
      scanned_at: new Date().toISOString(),
      result,
      kind,
      colour: kind === "display" ? colour : kind === "pass" && found.signed ? claims.colour : null,
      // Unsigned claims may be anything; only a checked code says whose it is.
      sub: found.signed ? claims.sub : "",
      kid: found.kid || "",
      revocation_hash: found.revocationHash || "",
      venue: venueSelect.value || null,
    });
    upload();
  } finally {
    busy = false;
  }
}

// --- camera --------------------------------------------------------------------------------

let lastText = "";
let lastDismissed = 0;

function decoded(text) {
  if (!overlay.hidden || busy) return;
  if (text === lastText && Date.now() - lastDismissed < SAME_CODE_PAUSE_MS) return;
  lastText = text;
  camera.pause();
  scan(text);
}

const camera = new Camera({
  video: document.getElementById("camera"),
  box: cameraBox,
  button: cameraButton,
  scannerUrl: urls.scannerUrl,
  onCode: decoded,
});

async function toggleCamera() {
  cameraNote.textContent = "";
  if (!(await camera.toggle())) cameraNote.textContent = labels.cameraFailed;
}

// --- wiring --------------------------------------------------------------------------------

function dismiss() {
  if (overlay.hidden) return;
  overlay.hidden = true;
  document.body.classList.remove("scan-result-open");
  lastDismissed = Date.now();
  input.value = "";
  if (camera.on) camera.resume();
  else input.focus();
}

overlay.addEventListener("click", dismiss);
overlay.addEventListener("keydown", (event) => {
  if (["Enter", "Escape", " "].includes(event.key)) {
    event.preventDefault();
    dismiss();
  }
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  scan(input.value);
});
cameraButton.addEventListener("click", toggleCamera);

const venues = [...venueSelect.options].map((option) => option.value);
const remembered = load(VENUE);
if (venues.includes(remembered)) venueSelect.value = remembered;
else if (venues.length === 2) venueSelect.value = venues[1];
venueSelect.addEventListener("change", () => save(VENUE, venueSelect.value));

window.addEventListener("online", () => {
  refreshKeys().then(upload);
});
window.addEventListener("offline", () => {
  reachable = false;
  showStatus();
});
setInterval(upload, UPLOAD_EVERY_MS);
setInterval(refreshKeys, REFRESH_EVERY_MS);

showQueue();
showStatus();
refreshKeys().then(upload);

// The page and everything it loads, for the service worker to answer with when offline.
async function keepForOffline() {
  if (!("serviceWorker" in navigator) || !window.caches) return;
  try {
    await navigator.serviceWorker.register(urls.serviceWorkerUrl, { scope: urls.serviceWorkerScope });
    const files = [
      location.pathname,
      ...[...document.querySelectorAll("link[rel=stylesheet][href], script[src]")].map(
        (element) => element.getAttribute("href") || element.getAttribute("src"),
      ),
      urls.verifyUrl,
      urls.cameraUrl,
      urls.scannerUrl,
      urls.scannerWorkerUrl,
    ];
    const cache = await caches.open(PAGE_CACHE);
    await cache.addAll([...new Set(files)]);
  } catch {
    // No offline copy this time (private mode, full storage): the page itself still works.
  }
}

keepForOffline();
