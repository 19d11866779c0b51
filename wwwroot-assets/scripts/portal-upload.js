// The portal's upload client: drives tus-js-client (window.tus, from lib/tus-js-client/tus.min.js)
// against the tus endpoint and reports to the Blazor upload page through a few interop calls.
// Files travel over HTTP, never over the page's live connection. Unfinished uploads are
// remembered in localStorage by tus-js-client, so picking the same file again after a reload or
// a browser restart continues where it stopped.

const RETRY_DELAYS = [0, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000, 60000, 60000];
const PROGRESS_EVERY_MS = 250;

let page = null;
let settings = null;
let counter = 0;
const uploads = new Map();

export function attach(dotnet, options, dropZone, fileInput, folderInput) {
  page = dotnet;
  settings = options;
  const add = (files) => { for (const f of files) { addFile(f.file ?? f, f.path ?? (f.webkitRelativePath || f.name)); } };

  dropZone.addEventListener('dragover', (e) => { e.preventDefault(); dropZone.classList.add('drop-active'); });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('drop-active'));
  dropZone.addEventListener('drop', async (e) => {
    e.preventDefault();
    dropZone.classList.remove('drop-active');
    add(await droppedFiles(e.dataTransfer));
  });
  dropZone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
  });
  for (const input of [fileInput, folderInput]) {
    if (!input) continue;
    input.addEventListener('change', () => { add(Array.from(input.files)); input.value = ''; });
  }
  // The page's live connection drops with the network, so the offline notice is shown from here.
  const network = () => { document.documentElement.dataset.uploadNetwork = navigator.onLine ? 'online' : 'offline'; };
  window.addEventListener('offline', network);
  window.addEventListener('online', network);
  network();
  window.addEventListener('online', () => {
    for (const [key, entry] of uploads) {
      if (entry.state === 'waiting') { start(key); }
    }
  });
  dropZone.dataset.ready = 'true';
  reportUnfinished();
}

// Files and, where the browser allows, whole folders from a drop.
async function droppedFiles(transfer) {
  const items = Array.from(transfer.items ?? []);
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => e === null)) {
    return Array.from(transfer.files);
  }
  const files = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      files.push({ file, path: prefix + file.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) { await walk(child, prefix + entry.name + '/'); }
      }
    }
  };
  for (const entry of entries) { await walk(entry, ''); }
  return files;
}

async function addFile(file, path) {
  const key = `u${Date.now().toString(36)}${(counter++).toString(36)}`;
  const entry = { file, state: 'starting', lastReport: 0, lastBytes: 0, lastTime: 0, speed: 0, upload: null };
  uploads.set(key, entry);

  const upload = new window.tus.Upload(file, {
    endpoint: settings.endpoint,
    chunkSize: settings.chunkSize,
    retryDelays: RETRY_DELAYS,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    onShouldRetry: (err) => {
      // Offline, retrying is pointless: fail over to 'waiting' and restart when the network is back.
      if (!navigator.onLine) return false;
      const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
      return status === 0 || status >= 500 || status === 409 || status === 423;
    },
    onProgress: (sent, total) => progress(key, sent, total),
    onSuccess: () => finish(key),
    onError: (err) => failed(key, err),
  });
  entry.upload = upload;

  const previous = await upload.findPreviousUploads();
  if (previous.length > 0 && previous[0].metadata && previous[0].metadata.portalpath) {
    upload.resumeFromPreviousUpload(previous[0]);
    entry.path = previous[0].metadata.portalpath;
    await call('Resumed', key, file.name, file.size, entry.path);
  } else {
    const grant = await call('Authorize', key, file.name, file.size, file.type || '', path || file.name);
    if (!grant || !grant.token) {
      entry.state = 'refused';
      return;
    }
    entry.path = grant.path;
    upload.options.headers = { Authorization: `Bearer ${grant.token}` };
    upload.options.metadata.portalpath = grant.path;
  }
  start(key);
}

function start(key) {
  const entry = uploads.get(key);
  if (!entry) return;
  entry.state = 'uploading';
  entry.lastTime = 0;
  entry.upload.start();
  report('StateChanged', key, 'uploading', null);
}

function progress(key, sent, total) {
  const entry = uploads.get(key);
  const now = performance.now();
  if (entry.lastTime > 0 && now > entry.lastTime) {
    const rate = ((sent - entry.lastBytes) * 1000) / (now - entry.lastTime);
    entry.speed = entry.speed === 0 ? rate : entry.speed * 0.7 + rate * 0.3;
  }
  if (entry.lastTime === 0 || now - entry.lastTime >= PROGRESS_EVERY_MS) {
    entry.lastBytes = sent;
    entry.lastTime = now;
  }
  if (now - entry.lastReport >= PROGRESS_EVERY_MS || sent === total) {
    entry.lastReport = now;
    report('Progress', key, sent, total, Math.max(0, entry.speed));
  }
}

async function finish(key) {
  const entry = uploads.get(key);
  entry.state = 'done';
  // The page must learn of this even if its connection is down for a while: keep trying.
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      await page.invokeMethodAsync('Completed', key);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function failed(key, err) {
  const entry = uploads.get(key);
  if (entry.state === 'cancelled') return;
  if (!navigator.onLine) {
    // Offline: wait for the network to come back (the 'online' listener restarts it).
    entry.state = 'waiting';
    report('StateChanged', key, 'waiting', null);
    return;
  }
  entry.state = 'failed';
  const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
  let message = 'the upload failed';
  try {
    const body = err.originalResponse ? JSON.parse(err.originalResponse.getBody()) : null;
    if (body && body.detail) message = body.detail;
  } catch { /* not a problem body */ }
  report('StateChanged', key, 'failed', status ? `${message} (HTTP ${status})` : `${message}: the server could not be reached`);
}

export function pause(key) {
  const entry = uploads.get(key);
  if (!entry) return;
  entry.state = 'paused';
  entry.upload.abort(false);
  report('StateChanged', key, 'paused', null);
}

export function resume(key) { start(key); }

export function retry(key) { start(key); }

export async function cancel(key) {
  const entry = uploads.get(key);
  if (!entry) return;
  entry.state = 'cancelled';
  uploads.delete(key);
  try { await entry.upload.abort(true); } catch { /* already gone on the server */ }
}

export async function forget(urlStorageKey) {
  await window.tus.defaultOptions.urlStorage.removeUpload(urlStorageKey);
  await reportUnfinished();
}

export async function copyText(text) {
  await navigator.clipboard.writeText(text);
}

async function reportUnfinished() {
  try {
    const all = await window.tus.defaultOptions.urlStorage.findAllUploads();
    const unfinished = all
      .filter((u) => u.metadata && u.metadata.portalpath)
      .map((u) => ({ name: u.metadata.filename, size: u.size, storageKey: u.urlStorageKey, started: u.creationTime }));
    await page.invokeMethodAsync('Unfinished', unfinished);
  } catch { /* storage unavailable (private mode): nothing to offer */ }
}

function report(method, ...args) {
  page.invokeMethodAsync(method, ...args).catch(() => { /* the page's connection is down; the next report catches up */ });
}

async function call(method, ...args) {
  try {
    return await page.invokeMethodAsync(method, ...args);
  } catch {
    return null;
  }
}
