// The sampling screen. Each scan (a handheld scanner types the text and Enter, the camera
// decodes a QR code, or the sampler types) is one request to the JSON API, and the page is
// never reloaded: at a queue of hundreds, the sampler keeps scanning while the answer comes.
// The forms this script takes over post to the server without it.

const app = document.getElementById("sampling-app");
const labels = document.getElementById("sampling-labels").dataset;
const urls = app.dataset;
const site = urls.site;
const { Camera } = await import(urls.cameraUrl);

const notice = document.getElementById("notice");
const openSection = document.getElementById("open-section");
const openForm = document.getElementById("open-form");
const tubeSection = document.getElementById("tube-section");
const addForm = document.getElementById("add-form");
const closeForm = document.getElementById("close-form");
const results = document.getElementById("results");
const members = document.getElementById("members");
const recentSection = document.getElementById("recent-section");
const recent = document.getElementById("recent");
const cameraBox = document.getElementById("camera-box");
const cameraButton = document.getElementById("camera-button");

const BARCODE = /^[A-Za-z0-9-]{4,32}$/;
const CODE = /^FYP?1:/i;
// The camera keeps seeing the code just scanned; it is not a new scan.
const SAME_CODE_PAUSE_MS = 3000;

// The tube being filled: {barcode, pool_size, state, members}, or only {barcode} while its
// size waits for the first person ("auto").
let tube = null;
let busy = false;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function say(text, kind = "success") {
  notice.textContent = text;
  notice.className = `alert py-2 alert-${kind}`;
  notice.hidden = false;
  if (kind === "danger" && navigator.vibrate) navigator.vibrate(200);
}

async function call(method, url, body) {
  const options = {
    method,
    headers: { Accept: "application/json", "X-CSRFToken": urls.csrf },
    credentials: "same-origin",
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    return { ok: false, message: labels.network };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) return { ok: true, data };
  if (response.status === 401) return { ok: false, status: 401, message: labels.login };
  const detail = data && data.detail;
  const fields = Array.isArray(detail) ? detail.map((error) => error.field) : [];
  const message = Array.isArray(detail)
    ? detail.map((error) => error.message).join(" ")
    : detail || labels.network;
  return { ok: false, status: response.status, message, fields };
}

function focus(input) {
  input.value = "";
  input.focus();
}

const barcodeInput = openForm.elements.barcode;
const sizeSelect = openForm.elements.pool_size;
const textInput = addForm.elements.text;

function showOpen() {
  tube = null;
  results.hidden = true;
  tubeSection.hidden = true;
  openSection.hidden = false;
  focus(barcodeInput);
}

function memberItem(member) {
  const item = document.createElement("li");
  item.className = "list-group-item";
  const name = document.createElement("span");
  name.className = "masked ms-1";
  name.textContent = member.name;
  const time = document.createElement("span");
  time.className = "small text-body-secondary float-end";
  const at = new Date(member.sampled_at);
  time.textContent = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  item.append(name, time);
  return item;
}

function showTube() {
  openSection.hidden = true;
  tubeSection.hidden = false;
  document.getElementById("tube-barcode").textContent = tube.barcode;
  const count = tube.members ? tube.members.length : 0;
  document.getElementById("tube-count").textContent = count;
  document.getElementById("tube-size").textContent = tube.pool_size || "?";
  members.replaceChildren(...(tube.members || []).map(memberItem));
  if (closeForm) {
    closeForm.querySelector("button").textContent = tube.pool_size ? labels.close : labels.cancelPending;
  }
  focus(textInput);
}

function remember(done) {
  const item = document.createElement("li");
  item.className = "list-group-item px-0";
  item.textContent = fill(labels.recentItem, { barcode: done.barcode, n: done.members.length });
  recent.prepend(item);
  while (recent.children.length > 5) recent.lastElementChild.remove();
  recentSection.hidden = false;
}

function showAnswer(answer, added) {
  tube = answer;
  const n = answer.members.length;
  if (answer.state !== "open") {
    remember(answer);
    const template = added ? labels.full : labels.closed;
    say(fill(template, { barcode: answer.barcode, n }));
    showOpen();
    return;
  }
  if (added) {
    const last = answer.members[n - 1];
    say(fill(labels.added, { name: last ? last.name : "", n, size: answer.pool_size }));
  } else {
    say(fill(labels.opened, { barcode: answer.barcode }));
  }
  showTube();
}

async function openTube(barcode) {
  barcode = barcode.trim();
  if (!BARCODE.test(barcode)) {
    say(labels.badBarcode, "danger");
    focus(barcodeInput);
    return;
  }
  if (!sizeSelect.value) {
    // The size waits for the first person; the barcode is checked now, not at their scan.
    const used = await call("GET", `${urls.tubesUrl}/${encodeURIComponent(barcode)}`);
    if (used.ok) {
      say(fill(labels.barcodeUsed, { barcode }), "danger");
      focus(barcodeInput);
      return;
    }
    tube = { barcode };
    say(fill(labels.pending, { barcode }), "info");
    showTube();
    return;
  }
  const answer = await call("POST", urls.tubesUrl, {
    barcode,
    site,
    pool_size: Number(sizeSelect.value),
  });
  if (!answer.ok) {
    say(answer.message, "danger");
    focus(barcodeInput);
    return;
  }
  showAnswer(answer.data, false);
}

function sendPerson(body) {
  return tube.pool_size
    ? call("POST", `${urls.tubesUrl}/${encodeURIComponent(tube.barcode)}/samples`, body)
    : call("POST", urls.tubesUrl, { barcode: tube.barcode, site, ...body });
}

async function addPerson(body) {
  if (!tube) {
    say(labels.noTube, "danger");
    return;
  }
  let answer = await sendPerson(body);
  // Sampled in this round already: the server says when and in which tube, the sampler decides.
  if (!answer.ok && answer.fields && answer.fields.includes("confirm_repeat")) {
    say(answer.message, "warning");
    if (window.confirm(`${answer.message}\n${labels.confirmRepeat}`)) {
      answer = await sendPerson({ ...body, confirm_repeat: true });
    } else {
      focus(textInput);
      return;
    }
  }
  if (!answer.ok) {
    say(answer.message, "danger");
    if (!tube.pool_size && answer.fields && answer.fields.includes("barcode")) showOpen();
    else focus(textInput);
    return;
  }
  results.hidden = true;
  results.replaceChildren();
  showAnswer(answer.data, true);
}

function resultItem(found) {
  const item = document.createElement("li");
  item.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
  const text = document.createElement("div");
  text.className = "min-w-0";
  const line = document.createElement("div");
  const name = document.createElement("strong");
  name.className = "masked";
  name.textContent = found.name;
  const more = document.createElement("small");
  more.className = "text-body-secondary";
  more.textContent = ` ${found.gender} · ${fill(labels.years, { n: found.age })}`;
  line.append(name, more);
  if (found.sampled) {
    const badge = document.createElement("span");
    badge.className = "badge text-bg-warning ms-1";
    badge.textContent = labels.sampled;
    line.append(badge);
  }
  const detail = document.createElement("div");
  detail.className = "small text-body-secondary text-truncate";
  detail.textContent = `${found.id_number} · ${found.address}`;
  text.append(line, detail);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-outline-primary text-nowrap";
  button.textContent = labels.add;
  button.addEventListener("click", () => run(() => addPerson({ person: found.id })));
  item.append(text, button);
  return item;
}

async function search(query) {
  const address = `${urls.personsUrl}?${new URLSearchParams({ site, q: query })}`;
  const answer = await call("GET", address);
  if (!answer.ok) {
    say(answer.message, "danger");
    return;
  }
  if (!answer.data.length) {
    const empty = document.createElement("li");
    empty.className = "list-group-item text-body-secondary";
    empty.textContent = labels.notFound;
    results.replaceChildren(empty);
  } else {
    results.replaceChildren(...answer.data.map(resultItem));
  }
  results.hidden = false;
}

async function closeTube() {
  if (!tube.pool_size) {
    showOpen();
    return;
  }
  const n = members.children.length;
  if (!window.confirm(fill(labels.confirmClose, { barcode: tube.barcode, n, size: tube.pool_size }))) {
    focus(textInput);
    return;
  }
  const answer = await call("POST", `${urls.tubesUrl}/${encodeURIComponent(tube.barcode)}/close`);
  if (!answer.ok) {
    say(answer.message, "danger");
    return;
  }
  showAnswer(answer.data, false);
}

// One scan at a time: a second Enter while the first is answered would send it twice.
async function run(work) {
  if (busy) return;
  busy = true;
  try {
    await work();
  } finally {
    busy = false;
  }
}

function scanned(text) {
  text = text.trim();
  if (!text) return;
  if (CODE.test(text)) {
    run(() => addPerson({ code: text }));
  } else if (!tube) {
    run(() => openTube(text));
  } else {
    run(() => search(text));
  }
}

openForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(() => openTube(barcodeInput.value));
});
addForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value.trim();
  if (!text) return;
  if (CODE.test(text)) textInput.value = "";
  scanned(text);
});
// Absent while the page (without this script) asks to confirm closing.
closeForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  run(closeTube);
});

// --- camera --------------------------------------------------------------------------------

let lastText = "";
let lastAt = 0;

function decoded(text) {
  if (busy) return;
  if (text === lastText && Date.now() - lastAt < SAME_CODE_PAUSE_MS) return;
  lastText = text;
  lastAt = Date.now();
  scanned(text);
}

const camera = new Camera({
  video: document.getElementById("camera"),
  box: cameraBox,
  button: cameraButton,
  scannerUrl: urls.scannerUrl,
  onCode: decoded,
});

async function toggleCamera() {
  if (!(await camera.toggle())) say(labels.cameraFailed, "danger");
}

cameraButton.hidden = false;
cameraButton.addEventListener("click", toggleCamera);

// --- start ---------------------------------------------------------------------------------

if (urls.tube && urls.tubeState === "open") {
  tube = {
    barcode: urls.tube,
    pool_size: Number(urls.tubeSize),
    state: "open",
    members: [...members.children].map((item) => ({ name: item.firstElementChild.textContent })),
  };
  focus(textInput);
} else {
  focus(barcodeInput);
}
