/** The relay's only source of "now", injectable so pacing and backoff tests run on a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
