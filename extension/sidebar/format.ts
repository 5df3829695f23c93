/** Numbers and times in the browser's UI language (the same one i18n picked). */
function uiLocale(): string {
  const fallback = globalThis.navigator?.language ?? 'en';
  try {
    return browser.i18n.getUILanguage() || fallback;
  } catch {
    return fallback;
  }
}

export const formatNumber = (n: number) => new Intl.NumberFormat(uiLocale()).format(n);

export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(uiLocale(), { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** A <input type="datetime-local"> value (local time, minutes) for a Date. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** When Schedule suggests sending: the channel's next free slot if later, else tomorrow 09:00. */
export function defaultScheduleTime(nextSlotAt: string | undefined, now = new Date()): Date {
  const slot = nextSlotAt ? new Date(nextSlotAt) : null;
  if (slot && slot.getTime() > now.getTime() + 60_000) {
    // Round up to the next 5 minutes so the picker shows a clean time.
    return new Date(Math.ceil(slot.getTime() / 300_000) * 300_000);
  }
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return tomorrow;
}
