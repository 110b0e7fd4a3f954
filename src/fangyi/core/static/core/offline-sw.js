// The one service worker of the pages that must load again with the network cut (a
// checkpoint's scanning page, a sweep's phone sheet). Each area serves it from its own path
// (core/offline.py), since a worker controls only the pages under it. The page that registers
// it names its cache in the script's URL (sw.js?cache=fangyi-scan-v1) and puts itself and its
// static files there (it knows their URLs, with the hashes collectstatic gives them); this
// worker answers from there when the network cannot. What the page keeps besides (keys,
// queues, households) is the page's business.

const CACHE = new URL(self.location.href).searchParams.get("cache") || "";
// "fangyi-<page>-v<n>": older versions of the same page's cache are deleted on activation.
const NAMED = /^fangyi-[a-z0-9-]+-v[0-9]+$/.test(CACHE);
const FAMILY = CACHE.replace(/v[0-9]+$/, "");
// Someone on a slow network waits this long before the cached page is shown.
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (NAMED && name.startsWith(FAMILY) && name !== CACHE) await caches.delete(name);
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
    // A redirect (to the login page) or an error is not the page.
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
  // Registered without a cache of its own, it stays out of the way.
  if (!NAMED) return;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(request.mode === "navigate" ? page(request) : file(request, event));
});
