/** What the main thread and a module probe's thread say to each other. */

/** The probe thread's workerData. */
export interface ProbeData {
  /** Absolute path of the objective module. */
  module: string;
}

/**
 * The one message of the probe thread: the module loaded; it cannot be an objective, and why; or
 * it tried to load a native addon (which the probe does not), so its import says nothing.
 */
export type ProbeResult = { outcome: 'loaded' } | { outcome: 'refused'; reason: string } | { outcome: 'native-addon'; addon: string };
