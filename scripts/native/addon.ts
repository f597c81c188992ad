/**
 * Installing tfjs-node without its download, laying out its deps/ from the wheel, and building
 * its addon offline: the steps its install script would take after downloading libtensorflow.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runCommand } from './command.js';
import { SetupError, tail } from './errors.js';
import { pinnedVersion, type NativeTarget } from './target.js';
import type { Program, Toolchain } from './toolchain.js';
import { extractWheel, type WheelFile } from './wheel.js';

/**
 * `npm install` of the package with scripts off: its install script would download
 * libtensorflow and fail. --no-save keeps package.json and the lock as they are.
 */
export async function installPackage(target: NativeTarget, npm: Program, root: string): Promise<string> {
  const spec = `${target.pkg}@${pinnedVersion(target.pkg, root)}`;
  const args = [...npm.args, 'install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', spec];
  const result = await runCommand(npm.file, args, { cwd: root });
  if (result.code !== 0 || !existsSync(join(target.pkgDir, 'package.json'))) {
    throw new SetupError('missing', [`the ${spec} package: npm could not install it from its registry (npm ${args.slice(npm.args.length).join(' ')})`], tail(result.output, 12));
  }
  return spec;
}

/**
 * npm installs both optional native packages at once. The other one, without a binary, would make
 * hpsearch's `auto` backend think it is there: it goes again, unless an earlier setup built it.
 */
export function removeUnbuiltSibling(target: NativeTarget, root: string, isSetUp: (pkgDir: string) => boolean): string | undefined {
  const siblingDir = join(root, 'node_modules', ...target.sibling.split('/'));
  if (!existsSync(siblingDir) || isSetUp(siblingDir)) return undefined;
  rmSync(siblingDir, { recursive: true, force: true });
  return target.sibling;
}

/**
 * Where tfjs-node loads its addon from. Its index.js asks node-pre-gyp, which fills the "binary"
 * field of package.json: module_path with the highest of napi_versions this Node supports (8 on
 * Node 20, which offers 9). Worked out here from the file rather than by requiring node-pre-gyp:
 * this process may have looked for the package before npm installed it, and Node remembers a
 * package.json it did not find. The load check then proves the path, as tfjs-node takes it.
 */
export function addonLocation(pkgDir: string): { file: string; napiVersion: number; moduleName: string } {
  const manifestFile = join(pkgDir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { binary?: { module_name?: string; module_path?: string; napi_versions?: number[] } };
  const { module_name: moduleName, module_path: modulePath, napi_versions: napiVersions } = manifest.binary ?? {};
  const offered = Number(process.versions.napi);
  const napiVersion = Math.max(...(napiVersions ?? []).filter((version) => version <= offered));
  const unknown = `${manifestFile}: its "binary" field is not the layout this script knows (tfjs-node 4.x: module_path ./lib/napi-v{napi_build_version}, napi_versions up to ${offered})`;
  if (moduleName === undefined || modulePath === undefined || !Number.isInteger(napiVersion)) throw new SetupError('failed', [unknown]);
  const path = modulePath.replaceAll('{napi_build_version}', String(napiVersion));
  if (path.includes('{')) throw new SetupError('failed', [unknown]);
  return { file: join(pkgDir, path, `${moduleName}.node`), napiVersion, moduleName };
}

/**
 * deps/lib/ with the wheel's two libraries under the names binding.gyp links (-ltensorflow,
 * -ltensorflow_framework) and the name the install script checks for (libtensorflow.so.2.9.1),
 * and deps/include/ with the headers. Built beside deps/ and moved in whole, so an interrupted
 * run leaves no half-filled deps/.
 */
export async function layOutDeps(pkgDir: string, python: string, wheel: WheelFile): Promise<void> {
  const deps = join(pkgDir, 'deps');
  const partial = join(pkgDir, 'deps.partial');
  rmSync(partial, { recursive: true, force: true });
  await extractWheel(python, wheel, partial, join(pkgDir, 'binding'));
  const lib = join(partial, 'lib');
  const links: Record<string, string> = {
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    [`libtensorflow.so.${libtensorflowVersion(pkgDir)}`]: 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  };
  for (const [link, to] of Object.entries(links)) symlinkSync(to, join(lib, link));
  rmSync(deps, { recursive: true, force: true });
  renameSync(partial, deps);
}

/** The libtensorflow version the package expects (2.9.1 for tfjs-node 4.22), from its own constants. */
function libtensorflowVersion(pkgDir: string): string {
  const source = readFileSync(join(pkgDir, 'scripts', 'deps-constants.js'), 'utf8');
  const version = /LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/.exec(source)?.[1];
  if (version === undefined) throw new SetupError('failed', [`${pkgDir}/scripts/deps-constants.js has no LIBTENSORFLOW_VERSION; this script knows tfjs-node 4.x's layout`]);
  return version;
}

/**
 * node-gyp against the local Node headers (--nodedir: nothing is downloaded), for the N-API
 * version tfjs-node looks for (8 on Node 20, which itself offers 9), then the addon copied to
 * where the package loads it.
 */
export async function buildAddon(toolchain: Toolchain, pkgDir: string): Promise<string> {
  const addon = addonLocation(pkgDir);
  const args = [
    toolchain.nodeGyp,
    'rebuild',
    `--nodedir=${toolchain.nodeDir}`,
    `--python=${toolchain.python}`,
    `--napi_build_version=${addon.napiVersion}`,
    `--module_name=${addon.moduleName}`,
    `--module_path=${relative(pkgDir, dirname(addon.file))}`,
    '--jobs=max',
  ];
  const result = await runCommand(process.execPath, args, { cwd: pkgDir, env: { ...process.env, ...toolchain.buildEnv } });
  const built = join(pkgDir, 'build', 'Release', `${addon.moduleName}.node`);
  if (result.code !== 0 || !existsSync(built)) {
    throw new SetupError('failed', [`building the ${addon.moduleName} addon failed (node ${args.join(' ')}, in ${pkgDir}); the compiler's last lines:`], tail(result.output));
  }
  mkdirSync(dirname(addon.file), { recursive: true });
  copyFileSync(built, addon.file);
  return addon.file;
}
