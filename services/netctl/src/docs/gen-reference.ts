/** Rewrites the generated command reference in docs/netctl.md: `pnpm --filter netctl docs`. */
import fs from 'node:fs';
import path from 'node:path';
import { renderReference, spliceReference } from './reference';

export const DOC_PATH = path.resolve(__dirname, '../../../../docs/netctl.md');

async function main(): Promise<void> {
  const doc = fs.existsSync(DOC_PATH) ? fs.readFileSync(DOC_PATH, 'utf8') : '# netctl\n';
  fs.writeFileSync(DOC_PATH, spliceReference(doc, await renderReference()));
  console.log(`wrote ${DOC_PATH}`);
}

if (require.main === module) void main();
