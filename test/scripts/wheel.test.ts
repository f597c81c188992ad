import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../scripts/native/errors.js';
import { nativeTarget } from '../../scripts/native/target.js';
import { cachedWheel, extractWheel, givenWheel, inspectWheel } from '../../scripts/native/wheel.js';
import { useTempDir } from '../helpers/temp.js';
import { makeZip } from './zip.js';

const tempDir = useTempDir();

/** A wheel shaped like tensorflow-cpu's, with tiny stand-ins for the libraries. */
function fakeTensorflowWheel(dir: string): string {
  const file = join(dir, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
  const inc = 'tensorflow/include/';
  makeZip(file, {
    'tensorflow/libtensorflow_cc.so.2': 'cc library',
    'tensorflow/libtensorflow_framework.so.2': 'framework library',
    'tensorflow_cpu-2.21.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tensorflow-cpu\nVersion: 2.21.0\n\nVersion: not this one, the description\n',
    [`${inc}tensorflow/c/c_api.h`]: '#include <stddef.h>\n#include "tensorflow/c/tf_status.h"\n  #  include "beside.h"\n',
    [`${inc}tensorflow/c/tf_status.h`]: '#include "tsl/c/status.h"\n#include "not/in/the/wheel.h"\n',
    [`${inc}tensorflow/c/beside.h`]: '// found relative to the header that includes it\n',
    [`${inc}tsl/c/status.h`]: '',
    [`${inc}tensorflow/c/eager/c_api.h`]: '#include "tensorflow/c/c_api.h"\n',
    [`${inc}tensorflow/core/platform/ctstring_internal.h`]: '#include "tsl/platform/ctstring_internal.h"\n',
    [`${inc}tsl/platform/ctstring_internal.h`]: '',
    [`${inc}tensorflow/core/framework/op.h`]: '// C++ API: not used by the addon, not extracted\n',
    [`${inc}Eigen/Core`]: '',
  });
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the wheel reader (scripts/native/wheel.py)', () => {
  it('reads the project and version from the wheel metadata, not from its description', async () => {
    const file = fakeTensorflowWheel(tempDir());
    const info = await inspectWheel('python3', { file, origin: '--wheel' });
    expect(info).toMatchObject({ name: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', project: 'tensorflow-cpu', version: '2.21.0' });
  });

  it('extracts the two libraries and only the headers the addon sources include, transitively', async () => {
    const dir = tempDir();
    const file = fakeTensorflowWheel(dir);
    const sources = join(dir, 'binding');
    mkdirSync(sources);
    writeFileSync(join(sources, 'backend.cc'), '#include "utils.h"\n#include "tensorflow/core/platform/ctstring_internal.h"\n');
    const out = join(dir, 'deps');
    await extractWheel('python3', { file, origin: '--wheel' }, out, sources);
    expect(filesUnder(out)).toEqual([
      'include/tensorflow/c/beside.h',
      'include/tensorflow/c/c_api.h',
      'include/tensorflow/c/eager/c_api.h',
      'include/tensorflow/c/tf_status.h',
      'include/tensorflow/core/platform/ctstring_internal.h',
      'include/tsl/c/status.h',
      'include/tsl/platform/ctstring_internal.h',
      'lib/libtensorflow_cc.so.2',
      'lib/libtensorflow_framework.so.2',
    ]);
    expect(readFileSync(join(out, 'lib', 'libtensorflow_cc.so.2'), 'utf8')).toBe('cc library');
  });

  it('refuses a wheel without the eager C API header, naming it', async () => {
    const file = join(tempDir(), 'half.whl');
    makeZip(file, { 'tensorflow/libtensorflow_cc.so.2': '', 'tensorflow/libtensorflow_framework.so.2': '', 'tensorflow/include/tensorflow/c/c_api.h': '' });
    const error = await inspectWheel('python3', { file, origin: 'the cache' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).exitCode).toBe(2);
    expect((error as SetupError).lines).toEqual([`a usable TensorFlow wheel (the cache): ${file} is not a TensorFlow wheel with the C library: it has no tensorflow/include/tensorflow/c/eager/c_api.h`]);
  });
});

describe('finding the wheel', () => {
  it('takes --wheel over HPSEARCH_TF_WHEEL, and HPSEARCH_TF_WHEEL when there is no --wheel', () => {
    const dir = tempDir();
    const a = join(dir, 'a.whl');
    const b = join(dir, 'b.whl');
    writeFileSync(a, '');
    writeFileSync(b, '');
    expect(givenWheel(a, { HPSEARCH_TF_WHEEL: b })).toEqual({ file: a, origin: '--wheel' });
    expect(givenWheel(undefined, { HPSEARCH_TF_WHEEL: b })).toEqual({ file: b, origin: 'HPSEARCH_TF_WHEEL' });
    expect(givenWheel(undefined, {})).toBeUndefined();
    expect(() => givenWheel(dir, {})).toThrow(/--wheel names .*, and no file is there/);
  });

  it('finds a cached wheel of the variant and version only, never a partial download', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.download-123'));
    writeFileSync(join(dir, '.download-123', 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'), '');
    writeFileSync(join(dir, 'tensorflow_cpu-2.20.0-cp311-cp311-manylinux_2_27_x86_64.whl'), '');
    writeFileSync(join(dir, 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'), '');
    expect(cachedWheel(nativeTarget('cpu'), dir)).toBeUndefined();
    // The GPU variant's wheel is pip's `tensorflow` project.
    expect(cachedWheel(nativeTarget('gpu'), dir)?.file).toBe(join(dir, 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'));
    writeFileSync(join(dir, 'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl'), '');
    expect(cachedWheel(nativeTarget('cpu'), dir)?.file).toBe(join(dir, 'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl'));
  });
});
