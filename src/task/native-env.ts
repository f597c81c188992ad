/**
 * The environment a process needs before it loads the tfjs-node addon, for TensorFlow's C++ logs
 * to stay off stderr. Measured with TensorFlow 2.21 (the wheel `npm run setup:native` builds on):
 * - TF_CPP_MIN_LOG_LEVEL=2 drops the info lines (cpu_feature_guard's "This TensorFlow binary is
 *   optimized to use available CPU instructions ...");
 * - with oneDNN on (TF_ENABLE_ONEDNN_OPTS unset or 1), "WARNING: All log messages before
 *   absl::InitializeLog() is called are written to STDERR" and "I0000 ... port.cc] oneDNN custom
 *   operations are on ..." are printed whatever the level, even 3; TF_ENABLE_ONEDNN_OPTS=0 is
 *   silent.
 * TensorFlow reads them once, when the library loads: setting process.env in a worker thread
 * afterwards, or in a thread other than the one that loads it, is too late.
 */
export const QUIET_TENSORFLOW_ENV = { TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '0' } as const;

/** `env` with the quiet defaults filled in where unset: a value the user chose is kept. */
export function quietTensorflowEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(QUIET_TENSORFLOW_ENV)) {
    if (result[name] === undefined || result[name] === '') result[name] = value;
  }
  return result;
}
