import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromiumPath } from './chromium';

/**
 * Chrome's extension id for a public key: the first 128 bits of the SHA-256
 * of the DER SubjectPublicKeyInfo, written in hex with 0-f spelled a-p.
 */
export function extensionIdFor(publicKeyDer: Buffer): string {
  const hex = crypto.createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
}

export interface PackedCrx {
  /** The signed CRX3 file. */
  crxFile: string;
  /** The id Chromium gives it (from the signing key). */
  id: string;
  version: string;
  /** Removes the temporary folder holding the copy, key and CRX. */
  dispose(): void;
}

/**
 * Packs a built extension into a CRX3 the way an admin self-hosting it does:
 * Chromium's own packer (--pack-extension) with a signing key.
 *
 * The repository holds only the public half of the key that pins the
 * development id, so the CRX is signed with a fresh throwaway RSA key. The
 * manifest's `key` must then go (Chromium refuses a CRX whose manifest key is
 * not the key it was signed with), which is what a store or self-hosted
 * package looks like anyway: its id comes from the signing key.
 */
export function packCrx(buildDir: string): PackedCrx {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-crx-'));
  const dispose = () => fs.rmSync(work, { recursive: true, force: true });
  try {
    const dir = path.join(work, 'sendway');
    fs.cpSync(buildDir, dir, { recursive: true });
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { key?: string; version: string };
    delete manifest.key;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const keyFile = path.join(work, 'key.pem');
    fs.writeFileSync(keyFile, privateKey, { mode: 0o600 });

    // Packing needs no display or profile of its own beyond a scratch one.
    const profile = path.join(work, 'profile');
    const run = spawnSync(
      chromiumPath(),
      ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, `--pack-extension=${dir}`, `--pack-extension-key=${keyFile}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const crxFile = path.join(work, 'sendway.crx');
    if (!fs.existsSync(crxFile)) {
      throw new Error(`Chromium did not pack ${dir} (exit ${run.status}): ${run.stderr || run.stdout}`);
    }
    const magic = fs.readFileSync(crxFile).subarray(0, 8);
    // "Cr24" then the format version, 3 (little-endian).
    if (magic.toString('latin1', 0, 4) !== 'Cr24' || magic.readUInt32LE(4) !== 3) {
      throw new Error(`${crxFile} is not a CRX3 file`);
    }
    return { crxFile, id: extensionIdFor(publicKey), version: manifest.version, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** The update manifest (gupdate XML) Chromium asks a self-hosted update URL for. */
export function updateManifest(id: string, version: string, crxUrl: string): string {
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>",
    `  <app appid='${id}'>`,
    `    <updatecheck codebase='${crxUrl}' version='${version}' />`,
    '  </app>',
    '</gupdate>',
    '',
  ].join('\n');
}

export interface UpdateServer {
  /** http://127.0.0.1:<port>/updates.xml */
  updateUrl: string;
  /** Paths Chromium asked for, in order (to show the install came from here). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the update manifest and the CRX on 127.0.0.1, as an admin's intranet server would. */
export async function serveUpdates(crx: PackedCrx): Promise<UpdateServer> {
  const requests: string[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/updates.xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(updateManifest(crx.id, crx.version, `${base}/sendway.crx`));
    } else if (url.pathname === '/sendway.crx') {
      // The content type Chromium expects for a CRX served outside the store.
      res.writeHead(200, { 'content-type': 'application/x-chrome-extension' });
      res.end(fs.readFileSync(crx.crxFile));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    updateUrl: `${base}/updates.xml`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
