// The sweep sheet's service worker: it lets the sheet load again with the network cut.
// The page puts itself and its static files into the cache (it knows their URLs, with the
// hashes collectstatic gives them); this worker answers from there when the network cannot.
// The households and the visits not uploaded yet are the page's business (IndexedDB).

const CACHE = "fangyi-sweep-sheet-v1";
// A worker waits this long for a slow network before the cached page is shown.
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("fangyi-sweep-sheet-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// The page from the network when it answers in time, kept for next time; otherwise the copy.
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    // A redirect (to the login page) or an error is not the sheet.
    if (response.ok && !response.redirected) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request.url, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

// A file the page cached is answered at once and refreshed behind the scenes; anything else
// (the API) goes to the network as if there were no worker.
async function file(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (!cached) return fetch(request);
  event.waitUntil(
    fetch(request)
      .then((response) => (response.ok ? cache.put(request, response) : undefined))
      .catch(() => undefined),
  );
  return cached;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(request.mode === "navigate" ? page(request) : file(request, event));
});
