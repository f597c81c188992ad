/**
 * `npm run setup:native`: makes @tensorflow/tfjs-node work where its install script cannot
 * download libtensorflow, from a TensorFlow wheel off pip's index. Parses and dispatches only;
 * the steps are in scripts/native/setup.ts. Runs with tsx right after `npm ci`: no build needed.
 */
import { parseArgs } from 'node:util';
import { SetupError } from './native/errors.js';
import { checkNative, setUpNative } from './native/setup.js';
import { PROJECT_ROOT, TENSORFLOW_VERSION, wheelCacheDir } from './native/target.js';

const HELP = `Usage: npm run setup:native [-- options]

Makes the native TensorFlow backend (@tensorflow/tfjs-node) work on a machine whose npm install
cannot download libtensorflow (no internet access beyond the package indexes). With internet
access, \`npm install @tensorflow/tfjs-node\` is the normal way and this script is not needed.

What it does, each step skipped when already done:
  1. takes the TensorFlow wheel tensorflow-cpu==${TENSORFLOW_VERSION}: --wheel FILE, else
     HPSEARCH_TF_WHEEL, else one downloaded before (kept in ${wheelCacheDir()}), else
     \`python3 -m pip download\` from pip's configured index. Nothing else is downloaded but
     the npm package of step 2, from npm's registry;
  2. installs @tensorflow/tfjs-node (the version package-lock.json pins) with --ignore-scripts;
  3. extracts the wheel's libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API
     headers into node_modules/@tensorflow/tfjs-node/deps/ (with the names tfjs-node links);
  4. builds the addon with npm's node-gyp against the local Node headers, for N-API 8, into
     lib/napi-v8/, where tfjs-node loads it;
  5. checks, in a child process, that it loads and runs a kernel, and records what it built in
     deps/hpsearch-native.json: the next run only checks (about a second).
Run it again after every \`npm ci\` or \`npm install\`: they wipe node_modules/@tensorflow/tfjs-node.

Options:
  --wheel FILE   the TensorFlow wheel to take the library from (or HPSEARCH_TF_WHEEL=FILE)
  --check        only say whether the native backend loads: exit 0 if it does, 1 if not
  --force        set up again even when it is done, or when @tensorflow/tfjs-node already loads
                 because its own install downloaded libtensorflow (left alone without --force)
  --gpu          the same for @tensorflow/tfjs-node-gpu (not yet tested on a GPU; see below)
  -h, --help     this text

Exit codes: 0 done; 2 something is missing (each piece on one line, with how to install it:
pip, the wheel, Node headers, a C++ compiler, make, python3), nothing was changed; 1 a step
failed (a failed build shows the compiler's last lines).

--gpu (not yet tested on a GPU: none was reachable where this was written):
  The libtensorflow 2.9.1 that tfjs-node-gpu 4.22's own install downloads is built with CUDA 11.2
  and cuDNN 8.1, which predate Hopper (H100) and newer GPUs. --gpu builds @tensorflow/tfjs-node-gpu
  the same way instead, against the \`tensorflow\` wheel (pip's CUDA build for Linux x86-64;
  tensorflow-cpu leaves CUDA out), which TensorFlow ${TENSORFLOW_VERSION} builds with CUDA 12 and cuDNN 9.
  libtensorflow opens the CUDA libraries at run time, so they must be where the dynamic loader
  looks (ldconfig's cache or LD_LIBRARY_PATH): an NVIDIA driver for CUDA 12 (libcuda.so.1), and
  either NVIDIA's CUDA 12 and cuDNN 9 packages, or pip's:
      python3 -m pip install 'tensorflow[and-cuda]==${TENSORFLOW_VERSION}'
      export LD_LIBRARY_PATH=$(python3 -c 'import glob, nvidia; print(":".join(glob.glob(list(nvidia.__path__)[0] + "/*/lib")))')
  The check then says whether TensorFlow sees a GPU and lists the CUDA libraries it cannot find.
  Without them it runs on the CPU. hpsearch's \`--backend tensorflow-gpu\` needs the GPU seen.

Environment: HPSEARCH_TF_WHEEL (the wheel), HPSEARCH_CACHE_DIR (instead of ~/.cache/hpsearch).

Examples:
  npm ci && npm run setup:native                   # the offline set-up, after every install
  npm run setup:native -- --check                  # does the native backend load? (CI)
  npm run setup:native -- --wheel ~/tensorflow_cpu-${TENSORFLOW_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl
  npm run setup:native -- --gpu                    # tfjs-node-gpu with CUDA 12 (untested on a GPU)
  npx hpsearch run search-spaces/cnn.yaml --backend tensorflow
`;

async function main(argv: string[]): Promise<number> {
  let values: { wheel?: string | undefined; check?: boolean | undefined; force?: boolean | undefined; gpu?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        wheel: { type: 'string' },
        check: { type: 'boolean' },
        force: { type: 'boolean' },
        gpu: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`setup:native: ${(error as Error).message}; see --help\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const common = { variant: values.gpu === true ? ('gpu' as const) : ('cpu' as const), root: PROJECT_ROOT, env: process.env, log: (line: string) => console.log(line) };
  if (values.check === true) return (await checkNative(common)) ? 0 : 1;
  try {
    await setUpNative({ ...common, wheel: values.wheel, force: values.force === true });
    return 0;
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    const label = error.kind === 'missing' ? 'native backend: missing' : 'native backend: failed:';
    for (const line of error.lines) process.stderr.write(`${label} ${line}\n`);
    if (error.detail !== undefined && error.detail !== '') process.stderr.write(`${error.detail.replace(/^/gm, '  | ')}\n`);
    return error.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
