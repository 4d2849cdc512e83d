/** Durations on the wire are integer nanoseconds, as in Nomad's API. */
export type Nanos = number;

export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export const msToNs = (ms: number): Nanos => Math.round(ms * NS_PER_MS);
export const nsToMs = (ns: Nanos): number => ns / NS_PER_MS;

/** Wall clock as Unix nanoseconds (Nomad's CreateTime/ModifyTime unit). */
export const nowNs = (): Nanos => Date.now() * NS_PER_MS;

/** A clock that tests can replace. */
export interface Clock {
  now(): number; // ms since epoch
}
export const systemClock: Clock = { now: () => Date.now() };
