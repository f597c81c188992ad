/**
 * The CUDA 12 and cuDNN 9 libraries that the `tensorflow` wheel's libtensorflow opens when it
 * looks for a GPU (TensorFlow 2.21 is built against CUDA 12 and cuDNN 9; its "tested build
 * configurations" page has the exact versions). libtensorflow opens them with dlopen, so they
 * must be where the dynamic loader looks: the ldconfig cache or LD_LIBRARY_PATH. Without them
 * TensorFlow logs a warning and runs on the CPU.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findExecutable, runCommand } from './command.js';

export const CUDA_LIBRARIES = [
  'libcuda.so.1', // the driver, from the NVIDIA driver package, not from CUDA
  'libcudart.so.12',
  'libcublas.so.12',
  'libcublasLt.so.12',
  'libcufft.so.11',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.12',
  'libcudnn.so.9',
] as const;

/** The CUDA libraries the dynamic loader would not find. */
export async function missingCudaLibraries(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const known = new Set<string>();
  const ldconfig = findExecutable('ldconfig', `${env['PATH'] ?? ''}${delimiter}/sbin${delimiter}/usr/sbin`);
  if (ldconfig !== undefined) {
    const cache = await runCommand(ldconfig, ['-p'], { env });
    for (const match of cache.stdout.matchAll(/^\s*(\S+) \(/gm)) if (match[1] !== undefined) known.add(match[1]);
  }
  const dirs = (env['LD_LIBRARY_PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  return CUDA_LIBRARIES.filter((library) => !known.has(library) && !dirs.some((dir) => existsSync(join(dir, library))));
}
