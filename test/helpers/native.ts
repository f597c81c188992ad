import { describe, it } from 'vitest';
import { probeNative, type NativeProbe } from '../../scripts/native/probe.js';

/** Whether @tensorflow/tfjs-node loads here, asked once per test file of a child process (never this one). */
export const nativeProbe: NativeProbe = await probeNative('@tensorflow/tfjs-node');

/**
 * A describe block for tests that need the native TensorFlow backend; its name starts with
 * "[native]", which is what .ci/run counts. Without the backend the block is skipped, its name
 * saying why. CI sets HPSEARCH_NATIVE_REQUIRED=1 once `npm run setup:native` succeeded: then a
 * backend that does not load fails instead of skipping.
 */
export function describeNative(name: string, body: () => void): void {
  if (nativeProbe.loads) {
    describe(`[native] ${name}`, body);
  } else if (process.env['HPSEARCH_NATIVE_REQUIRED'] === '1') {
    const reason = nativeProbe.reason;
    describe(`[native] ${name}`, () => {
      it('has the native backend, as HPSEARCH_NATIVE_REQUIRED=1 says', () => {
        throw new Error(`the native backend does not load: ${reason}`);
      });
    });
  } else {
    describe.skip(`[native] ${name} (skipped: ${nativeProbe.reason}; npm run setup:native sets it up)`, body);
  }
}
