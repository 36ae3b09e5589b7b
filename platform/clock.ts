import type { AppDeps } from '../gateway/app';

/** The injected clock (tests set `now` to try date rules), else the system one. */
export const clockOf = (deps: Pick<AppDeps, 'now'>): (() => Date) => deps.now ?? (() => new Date());
