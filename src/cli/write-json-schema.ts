/**
 * Writes the JSON Schema to `<repo>/search-space.schema.json`.
 * Run with `npm run schema` (from dist/) or `npx tsx src/cli/write-json-schema.ts`:
 * both sit two folders below the repo root, hence the relative URL.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// The schema has a key per objective kind: register the built-in ones first.
import '../objectives/builtin.js';
import { searchSpaceJsonSchema } from '../space/json-schema.js';

const target = fileURLToPath(new URL('../../search-space.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(searchSpaceJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
