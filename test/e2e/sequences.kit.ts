import type { Page } from 'playwright-core';
import type { Clock } from '../../relay/clock';
import { sidebarOf, waitReady } from './sidebar-helpers';

/**
 * Helpers for the sequence browser tests: a relay clock that runs with real
 * time but can be moved ahead (so follow-ups days away come due at once), and
 * the Gmail inbox fixture's controls.
 */
export class ShiftedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface Person {
  name: string;
  address: string;
}

type Fixtures = {
  gmailFixture: { open(o: object): string };
  inboxFixture: { addRow(o: object): void; openThread(o: object): void };
};

export const inbox = (page: Page) => ({
  open: (o: object) => page.evaluate((opts) => (window as unknown as Fixtures).gmailFixture.open(opts), o),
  addRow: (o: { from: Person[]; subject?: string; snippet?: string; unread?: boolean; at?: number }) =>
    page.evaluate((opts) => (window as unknown as Fixtures).inboxFixture.addRow(opts), o),
  openThread: (o: { subject: string; messages: { from: Person; to?: Person[]; at?: number; body?: string }[] }) =>
    page.evaluate((opts) => (window as unknown as Fixtures).inboxFixture.openThread(opts), o),
});

/** Opens a compose with these recipients and waits for its sidebar. */
export async function composeTo(page: Page, to: Person[], cc: Person[] = []): Promise<string> {
  const id = await inbox(page).open({ to, cc, subject: '', body: '' });
  await waitReady(page, id);
  return id;
}

/** The sidebar's "Add to sequence" panel, opened. */
export async function openEnrolPanel(page: Page, composeId: string, buttonName = 'Add to sequence') {
  const sidebar = sidebarOf(page, composeId);
  await sidebar.getByRole('button', { name: buttonName }).click();
  await sidebar.getByTestId('sw-enrol').waitFor();
  return sidebar;
}
