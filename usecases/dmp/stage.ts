/** The steps of a DMP publication, timed one by one (queue/dmp/metrics.ts records them). */
export type DmpStage = 'read' | 'render' | 'build' | 'sign' | 'publish' | 'find' | 'supersede' | 'delete';

/** Runs one step and records its duration. */
export type StageRunner = <T>(name: DmpStage, step: () => Promise<T>) => Promise<T>;
