/** The injected clock (tests set `now` to try date rules), else the system one. */
export const clockOf = (deps: { now?: (() => Date) | undefined }): (() => Date) => deps.now ?? (() => new Date());
