import { JSDOM } from 'jsdom';
import { readFixture } from './fixture';

/** A fixture page in jsdom at the webmail's real URL, with its fixture script running. */
export function loadFixture(relative: string, url: string): JSDOM {
  return new JSDOM(readFixture(relative), { url, runScripts: 'dangerously', pretendToBeVisual: true });
}
