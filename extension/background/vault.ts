/**
 * Secrets (relay token, refresh material) at rest.
 *
 * chrome.storage.local is readable by content scripts, which run inside
 * webmail pages. So secrets are stored there only as AES-GCM ciphertext, under
 * a non-extractable key that lives in the extension origin's IndexedDB — a
 * database content scripts cannot open (they see the page's origin).
 */
const DB_NAME = 'sendway-vault';
const STORE = 'keys';
const KEY_ID = 'v1';
const PREFIX = 'secret:';

let keyPromise: Promise<CryptoKey> | undefined;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function idb<T>(db: IDBDatabase, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = op(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

async function loadKey(): Promise<CryptoKey> {
  const db = await openDb();
  try {
    const existing = await idb<CryptoKey | undefined>(db, 'readonly', (s) => s.get(KEY_ID));
    if (existing) return existing;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    // add() rather than put(): if another context raced us, keep the first key.
    await idb(db, 'readwrite', (s) => s.add(key, KEY_ID)).catch(() => undefined);
    return (await idb<CryptoKey>(db, 'readonly', (s) => s.get(KEY_ID))) ?? key;
  } finally {
    db.close();
  }
}

function key(): Promise<CryptoKey> {
  keyPromise ??= loadKey().catch((error) => {
    keyPromise = undefined;
    throw error;
  });
  return keyPromise;
}

const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function setSecret(name: string, value: string): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await key(), new TextEncoder().encode(value)),
  );
  await browser.storage.local.set({ [PREFIX + name]: { iv: toB64(iv), data: toB64(data) } });
}

export async function getSecret(name: string): Promise<string | undefined> {
  const stored = (await browser.storage.local.get(PREFIX + name))[PREFIX + name] as
    | { iv: string; data: string }
    | undefined;
  if (!stored) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(stored.iv) }, await key(), fromB64(stored.data));
    return new TextDecoder().decode(plain);
  } catch {
    // The key is gone (profile reset, IndexedDB cleared): the secret is unrecoverable.
    await browser.storage.local.remove(PREFIX + name);
    return undefined;
  }
}

export async function deleteSecret(name: string): Promise<void> {
  await browser.storage.local.remove(PREFIX + name);
}
