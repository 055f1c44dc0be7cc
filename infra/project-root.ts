import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash: what handler modules and ASL paths are relative to. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
