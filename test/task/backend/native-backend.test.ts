import { describe, expect, it } from 'vitest';
import { TENSORFLOW_LOG_LINE, nativeWorkerProcesses } from '../../../src/task/native-backend.js';

describe('nativeWorkerProcesses', () => {
  it('shares the cores among the processes: TensorFlow threads per process = max(1, floor(cores / processes))', () => {
    const threads = (processes: number, cores: number) => nativeWorkerProcesses(processes, cores).env['TF_NUM_INTRAOP_THREADS'];
    expect(threads(1, 2)).toBe('2');
    expect(threads(2, 2)).toBe('1');
    expect(threads(3, 2)).toBe('1');
    expect(threads(3, 16)).toBe('5');
    const { env, note } = nativeWorkerProcesses(2, 8);
    expect(env).toEqual({
      TF_CPP_MIN_LOG_LEVEL: '2',
      TF_ENABLE_ONEDNN_OPTS: '1',
      TF_NUM_INTRAOP_THREADS: '4',
      TF_NUM_INTEROP_THREADS: '1',
      OMP_NUM_THREADS: '4',
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
    });
    expect(note).toBe('the native TensorFlow backend loads in one thread per process: running 2 worker processes, 4 TensorFlow threads each (TF_NUM_INTRAOP_THREADS)');
    expect(nativeWorkerProcesses(1, 1).note).toMatch(/running 1 worker process, 1 TensorFlow thread each/);
  });
});

describe('TENSORFLOW_LOG_LINE', () => {
  it("matches TensorFlow's C++ log lines, as TF 2.21 and older releases print them", () => {
    // As TF 2.21 printed them on this machine, with oneDNN on and TF_CPP_MIN_LOG_LEVEL unset.
    const lines = [
      'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
      'I0000 00:00:1796162072.717693   24411 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
      'I0000 00:00:1796162072.766779   24411 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
      'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 AVX_VNNI AMX_TILE AMX_INT8 AMX_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
      // absl once initialised, and the other severities.
      'W1201 20:45:12.123456    1234 cuda_executor.cc:1040] could not open file to read NUMA node',
      'E1201 20:45:12.123456 140234 cuda_dnn.cc:8310] Unable to register cuDNN factory',
      // The format before TF 2.16 (libtensorflow 2.9.1, tfjs-node's own download).
      '2026-12-01 20:45:12.123456: I tensorflow/core/platform/cpu_feature_guard.cc:193] This TensorFlow binary is optimized with oneAPI Deep Neural Network Library (oneDNN)',
      '2026-12-01 20:45:12.123456: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library',
    ];
    for (const line of lines) expect(line).toMatch(TENSORFLOW_LOG_LINE);
  });

  it("leaves a trial's own lines alone, also when they name TensorFlow", () => {
    const lines = [
      'epoch 3: loss 0.25',
      'Error: tensorflow says no',
      '    at runTrial (file:///home/me/objective.mjs:12:5)',
      'WARNING: my own warning',
      'I0000 is my favourite number',
      'To enable the following instructions, read the docs',
      '',
    ];
    for (const line of lines) expect(line).not.toMatch(TENSORFLOW_LOG_LINE);
  });
});
