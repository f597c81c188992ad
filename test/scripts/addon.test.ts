import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonLocation } from '../../scripts/native/addon.js';
import { SetupError } from '../../scripts/native/errors.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function fakePackage(binary: unknown): string {
  const dir = join(tempDir(), 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', binary }));
  return dir;
}

describe('where the addon goes (node-pre-gyp\'s rule, from package.json)', () => {
  const binary = { module_name: 'tfjs_binding', module_path: './lib/napi-v{napi_build_version}', napi_versions: [3, 4, 5, 6, 7, 8] };

  it('takes the highest N-API version the package lists that this Node offers: 8 on Node 20, which offers 9', () => {
    expect(Number(process.versions.napi)).toBeGreaterThanOrEqual(8);
    const dir = fakePackage(binary);
    expect(addonLocation(dir)).toEqual({ file: join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'), napiVersion: 8, moduleName: 'tfjs_binding' });
    expect(addonLocation(fakePackage({ ...binary, napi_versions: [3, 4] })).napiVersion).toBe(4);
  });

  it('works for a package that appears after this process looked for it and found none', () => {
    const root = tempDir();
    const dir = join(root, 'pkg');
    expect(() => addonLocation(dir)).toThrow();
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ binary }));
    expect(addonLocation(dir).file).toBe(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'));
  });

  it('refuses a layout it does not know, saying which', () => {
    for (const other of [undefined, { ...binary, module_path: './lib/{node_abi}' }, { ...binary, napi_versions: [99] }]) {
      const dir = fakePackage(other);
      expect(() => addonLocation(dir)).toThrow(SetupError);
      expect(() => addonLocation(dir)).toThrow(/its "binary" field is not the layout this script knows/);
    }
  });
});
