/**
 * JSON Schema of the search-space file format, for editor completion and checking
 * (`# yaml-language-server: $schema=...` in YAML, `"$schema"` in JSON).
 * Generated from the zod schema so the two cannot drift; `search-space.schema.json` at the
 * repo root is the committed copy (regenerate with `npm run schema`).
 */
import * as z from 'zod';
import { spaceFileSchema } from './schema.js';

export const SEARCH_SPACE_SCHEMA_ID = 'urn:hpsearch:search-space:v1';

export function searchSpaceJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(spaceFileSchema(), { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  // Editors cannot express "exactly one of module / task" or the grid-size limit from this
  // schema alone; hpsearch itself checks those when it loads the file.
  return {
    $schema,
    $id: SEARCH_SPACE_SCHEMA_ID,
    title: 'hpsearch search space',
    description:
      'A hyperparameter search space for hpsearch: the objective to optimise, the search strategy and the parameters to sample.',
    ...rest,
  };
}
